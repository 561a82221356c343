// SPEC §6 demo data: デモ株式会社 (1,000 listed lines in 10 groups, three
// roster-only lines added today that appear after 手動更新, one reserved for
// tomorrow) and サンプル商事 (50 lines). Dates are relative to the server clock.
import { addDays, type CalendarDate, jstDate, jstInstant } from "../../domain/time.ts";
import type { PrismaClient } from "../generated/client/client.ts";
import {
  mailAddressFor,
  mySoftbankPassword,
  personName,
  phoneNumber,
  type Random,
  random,
  serviceDeviceKind,
} from "./generate.ts";
import type { SeedAccount, SeedLine } from "./write.ts";
import { writeAccount, writeCarrierRoster } from "./write.ts";

export const DEMO_ACCOUNT = "デモ株式会社";
export const OTHER_ACCOUNT = "サンプル商事";

export const demoGroups = [
  "営業部",
  "開発部",
  "総務部",
  "人事部",
  "経理部",
  "製造部",
  "品質保証部",
  "広報部",
  "情報システム部",
  "物流部", // holds the 3G lines, so it cannot be selected
] as const;

/** Demo lines with a fixed role in the story (indices into the listed lines). */
export const demoFixtures = {
  threeG: [9, 19, 29],
  upgradedLongAgo: 100, // 4G feature phone upgraded from 3G 90 days ago (R12 2104)
  upgradedRecently: 200, // ... 20 days ago
  ungroupedFrom: 960,
} as const;

function contractDate(rng: Random, today: CalendarDate): CalendarDate {
  // Spread over 2012-01-01 .. 30 days ago, both sides of 2017-05-10 (R1).
  const span = Math.max(1, (Date.parse(today) - Date.parse("2012-01-01")) / 86_400_000 - 30);
  return addDays("2012-01-01", rng.int(0, Math.floor(span)));
}

function demoLine(rng: Random, i: number, today: CalendarDate): SeedLine {
  const groupName = i < demoFixtures.ungroupedFrom ? (demoGroups[i % demoGroups.length] ?? null) : null;
  let deviceKind: SeedLine["deviceKind"] = serviceDeviceKind(rng);
  let upgradedFrom3gOn: CalendarDate | null = null;
  if ((demoFixtures.threeG as readonly number[]).includes(i)) deviceKind = "FEATURE_PHONE_3G";
  if (i === demoFixtures.upgradedLongAgo || i === demoFixtures.upgradedRecently) {
    deviceKind = "FEATURE_PHONE_4G";
    upgradedFrom3gOn = addDays(today, i === demoFixtures.upgradedLongAgo ? -90 : -20);
  }
  const contractedOn = contractDate(rng, today);
  // A few lines had a model or information change today: still listed (R8).
  const changeKind = i % 97 === 3 ? "MODEL_CHANGE" : i % 89 === 5 ? "INFO_CHANGE" : "EXISTING";
  const phone = phoneNumber(1_000 + i, 0);
  return {
    phoneNumber: phone,
    ...personName(rng),
    affiliation: groupName ? `${groupName} ${rng.int(1, 3)}課` : "本社",
    mailAddress: mailAddressFor(phone, deviceKind),
    deviceKind,
    contractStatus: i % 50 === 7 ? "CANCELLED" : "ACTIVE",
    contractedOn,
    changeKind,
    changedAt: changeKind === "EXISTING" ? jstInstant(contractedOn) : jstInstant(today, 9 * 60),
    appPreinstalled: deviceKind !== "FEATURE_PHONE_3G" && rng.chance(0.15),
    sharedPhonebook: rng.chance(0.1),
    upgradedFrom3gOn,
    groupName,
    password: mySoftbankPassword(rng),
  };
}

export function demoAccount(now: Date): SeedAccount {
  const rng = random(20161102);
  const today = jstDate(now);
  const lines = Array.from({ length: 1000 }, (_, i) => demoLine(rng, i, today));
  // In the carrier's roster only: contracted today (listed after 手動更新, R8)...
  const addedAt = new Date(now.getTime() - 5 * 60_000);
  const addedToday = (["NEW_LINE", "NEW_LINE", "MNP_PORT_IN"] as const).map((changeKind, k) => ({
    ...demoLine(rng, 2000 + k, today),
    groupName: "営業部",
    contractedOn: jstDate(addedAt),
    changeKind,
    changedAt: addedAt,
  }));
  // ...and one reserved for tomorrow, never eligible before its contract date.
  const tomorrow: SeedLine = {
    ...demoLine(rng, 2010, today),
    contractedOn: addDays(today, 1),
    changeKind: "NEW_LINE",
    changedAt: addedAt,
  };
  return {
    name: DEMO_ACCOUNT,
    carrierCustomerCode: "DEMO-0001",
    portalIdIssuedAt: new Date("2015-04-01T00:00:00+09:00"),
    groupNames: [...demoGroups],
    admins: [
      { loginId: "Manager@admin", name: "管理者", role: "MAIN" },
      { loginId: "Substitute@admin", name: "代理管理者(サブ管理者)", role: "SUB" },
      { loginId: "GroupA@admin", name: "グループ管理者A", role: "GROUP", groupNames: ["営業部"] },
    ],
    lines: [...lines, ...addedToday, tomorrow],
  };
}

export function otherAccount(now: Date): SeedAccount {
  const rng = random(424242);
  const today = jstDate(now);
  const groups = ["本社", "大阪支店"];
  const lines = Array.from({ length: 50 }, (_, i): SeedLine => {
    const deviceKind = serviceDeviceKind(rng);
    const phone = phoneNumber(5_000 + i, 1);
    const contractedOn = contractDate(rng, today);
    return {
      phoneNumber: phone,
      ...personName(rng),
      affiliation: groups[i % 2] ?? "本社",
      mailAddress: mailAddressFor(phone, deviceKind),
      deviceKind,
      contractStatus: "ACTIVE",
      contractedOn,
      changeKind: "EXISTING",
      changedAt: jstInstant(contractedOn),
      appPreinstalled: rng.chance(0.1),
      sharedPhonebook: false,
      upgradedFrom3gOn: null,
      groupName: groups[i % 2] ?? null,
      password: mySoftbankPassword(rng),
    };
  });
  return {
    name: OTHER_ACCOUNT,
    carrierCustomerCode: "SAMPLE-0001",
    portalIdIssuedAt: new Date("2016-01-04T00:00:00+09:00"),
    groupNames: groups,
    admins: [{ loginId: "Other@admin", name: "サンプル商事 管理者", role: "MAIN" }],
    lines,
  };
}

/**
 * Writes the demo data into an empty database, once. Several processes may
 * start together on one PostgreSQL: an advisory lock lets exactly one seed.
 * (seedCarrierRosterIfEmpty takes the same lock.)
 */
export async function seedDemoIfEmpty(
  prisma: PrismaClient,
  options: { password: string; now: Date },
): Promise<boolean> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(20161102)`;
      if ((await tx.account.count()) > 0) return false;
      await writeAccount(tx, demoAccount(options.now), options);
      await writeAccount(tx, otherAccount(options.now), options);
      return true;
    },
    { timeout: 120_000, maxWait: 120_000 },
  );
}

/**
 * Writes the demo accounts' carrier roster (CarrierLine only) into a database
 * whose roster is empty: the standalone carrier simulator's. The lines are the
 * ones seedDemoIfEmpty writes (seeded generators), so every demo line the
 * gateway lists is known to the carrier. Takes seedDemoIfEmpty's lock: on a
 * PostgreSQL shared with the gateway, whichever comes second finds the roster
 * there, and the gateway's own seed keeps the lines it finds.
 */
export async function seedCarrierRosterIfEmpty(
  prisma: PrismaClient,
  options: { now: Date },
): Promise<boolean> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(20161102)`;
      if ((await tx.carrierLine.count()) > 0) return false;
      await writeCarrierRoster(tx, demoAccount(options.now));
      await writeCarrierRoster(tx, otherAccount(options.now));
      return true;
    },
    { timeout: 120_000, maxWait: 120_000 },
  );
}
