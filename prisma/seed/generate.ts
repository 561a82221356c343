// Deterministic generators for seed lines: the same seed always yields the same
// account, so demos, tests and benchmarks see the same data.
import type { DeviceKind } from "../generated/client/enums.ts";

/** mulberry32: a tiny, fast, well-distributed PRNG. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof random>;

export const surnames = [
  ["佐藤", "サトウ"],
  ["鈴木", "スズキ"],
  ["高橋", "タカハシ"],
  ["田中", "タナカ"],
  ["伊藤", "イトウ"],
  ["渡辺", "ワタナベ"],
  ["山本", "ヤマモト"],
  ["中村", "ナカムラ"],
  ["小林", "コバヤシ"],
  ["加藤", "カトウ"],
  ["吉田", "ヨシダ"],
  ["山田", "ヤマダ"],
  ["佐々木", "ササキ"],
  ["山口", "ヤマグチ"],
  ["松本", "マツモト"],
  ["井上", "イノウエ"],
  ["木村", "キムラ"],
  ["林", "ハヤシ"],
  ["斎藤", "サイトウ"],
  ["清水", "シミズ"],
] as const;
export const givenNames = [
  ["太郎", "タロウ"],
  ["花子", "ハナコ"],
  ["一郎", "イチロウ"],
  ["美咲", "ミサキ"],
  ["健太", "ケンタ"],
  ["陽菜", "ヒナ"],
  ["翔太", "ショウタ"],
  ["結衣", "ユイ"],
  ["大輔", "ダイスケ"],
  ["さくら", "サクラ"],
  ["直樹", "ナオキ"],
  ["愛", "アイ"],
  ["拓也", "タクヤ"],
  ["彩", "アヤ"],
  ["誠", "マコト"],
] as const;

export function personName(rng: Random): { name: string; nameKana: string } {
  const [s, sk] = rng.pick(surnames);
  const [g, gk] = rng.pick(givenNames);
  return { name: `${s} ${g}`, nameKana: `${sk} ${gk}` };
}

/** A distinct mobile number for each index (090/080/070 blocks of 10^8). */
export function phoneNumber(index: number, block = 0): string {
  const prefixes = ["090", "080", "070"];
  const prefix = prefixes[block % prefixes.length];
  const n = String(10_000_000 + index)
    .padStart(8, "0")
    .slice(-8);
  return `${prefix}-${n.slice(0, 4)}-${n.slice(4)}`;
}

export function mailAddressFor(phone: string, kind: DeviceKind): string {
  const digits = phone.replaceAll("-", "");
  return kind === "IPHONE" ? `${digits}@i.softbank.jp` : `${digits}@softbank.ne.jp`;
}

const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
export function mySoftbankPassword(rng: Random): string {
  let out = "";
  for (let i = 0; i < 10; i++) out += rng.pick(passwordAlphabet.split(""));
  return out;
}

/** A weighted pick of the device kinds that the product serves. */
export function serviceDeviceKind(rng: Random): Exclude<DeviceKind, "FEATURE_PHONE_3G"> {
  const r = rng.next();
  if (r < 0.4) return "SMARTPHONE";
  if (r < 0.75) return "IPHONE";
  if (r < 0.93) return "FEATURE_PHONE_4G";
  return "WINDOWS10_MOBILE";
}
