// Search as administrators type it (氏名・所属名・電話番号, 受付番号): full-width
// digits and letters (０９０), half-width kana (ﾔﾏﾀﾞ), hiragana for the kana
// column (やまだ → ヤマダ), hyphens or none in phone numbers, several words.
// Shared by the API's filters and bounds and the web client's inputs.
import { toKatakana } from "wanakana";

/** The longest search a line filter runs: every character costs each ILIKE over every visible line. */
export const MAX_SEARCH_LENGTH = 100;

/**
 * Words past this many are kept together as one phrase (the last word), so a
 * long search costs a bounded number of conditions and still means what was typed.
 */
export const MAX_SEARCH_TERMS = 5;

/** Phone numbers are stored as 090-1234-5678: 11 digits in groups of 3, 4 and 4. */
const PHONE_GROUPS = [3, 4, 4] as const;
const PHONE_DIGITS = 11;

/** What people type for a hyphen in a number: ASCII, Unicode dashes, the kana long-vowel mark. */
const HYPHENS = /[-‐‑‒–—―−ーｰ－]/g;

/**
 * NFKC folds full-width ASCII (０９０, Ａ) to ASCII, half-width kana (ﾔﾏﾀﾞ) to
 * full-width (ヤマダ, voiced marks joined) and the ideographic space to a
 * space; then runs of spaces become one and the ends are trimmed.
 */
export function normalizeSearchText(text: string): string {
  return text.normalize("NFKC").replaceAll(/\s+/g, " ").trim();
}

/** The digits of a number typed with or without hyphens or spaces; null when it holds anything else. */
export function digitsOf(text: string): string | null {
  const digits = normalizeSearchText(text).replaceAll(HYPHENS, "").replaceAll(" ", "");
  return /^\d+$/.test(digits) ? digits : null;
}

/**
 * Every way a run of digits appears inside a stored 090-1234-5678: the digits
 * at each position of the 11, with the hyphens that fall between them (at most
 * 11 patterns, for `contains`): "9012" → 9012, 901-2, 90-12, 9-012, so
 * "9012" finds 090-1234-… . Longer than 11 digits matches no phone number.
 */
export function phoneNumberFragments(digits: string): string[] {
  if (!/^\d+$/.test(digits) || digits.length > PHONE_DIGITS) return [];
  const hyphenAfter = new Set<number>();
  let end = 0;
  for (const size of PHONE_GROUPS.slice(0, -1)) {
    end += size;
    hyphenAfter.add(end - 1);
  }
  const fragments = new Set<string>();
  for (let start = 0; start + digits.length <= PHONE_DIGITS; start++) {
    let fragment = "";
    for (let i = 0; i < digits.length; i++) {
      fragment += digits[i];
      if (i < digits.length - 1 && hyphenAfter.has(start + i)) fragment += "-";
    }
    fragments.add(fragment);
  }
  return [...fragments];
}

/** One word of a search, in the forms the columns hold. */
export interface SearchTerm {
  /** As typed, normalized (氏名, 所属名, グループ名). */
  text: string;
  /** In katakana, as 氏名(カナ) holds it: hiragana and half-width kana folded. */
  kana: string;
  /** For phone numbers: the stored forms of the digits, when the word is a number. */
  phoneFragments: string[];
}

/** The words of a search (each must match some column); none for a blank search. */
export function searchTerms(search: string | null | undefined): SearchTerm[] {
  const normalized = normalizeSearchText(search ?? "");
  if (!normalized) return [];
  const words = [...new Set(normalized.split(" "))];
  const kept =
    words.length > MAX_SEARCH_TERMS
      ? [...words.slice(0, MAX_SEARCH_TERMS - 1), words.slice(MAX_SEARCH_TERMS - 1).join(" ")]
      : words;
  return kept.map((text) => {
    const digits = digitsOf(text);
    return {
      text,
      // passRomaji: Latin letters stay as typed ("yamada" is not ヤマダ).
      kana: toKatakana(text, { passRomaji: true }),
      phoneFragments: digits ? phoneNumberFragments(digits) : [],
    };
  });
}

/**
 * A receipt number or part of one (受付番号 are 16 digits): full-width digits
 * folded, and separators people copy along (spaces, hyphens, dots, slashes)
 * dropped; anything else is kept, normalized, and simply matches nothing.
 */
export function receiptNumberFragment(text: string): string {
  const normalized = normalizeSearchText(text);
  const digits = normalized.replaceAll(/[\s./]/g, "").replaceAll(HYPHENS, "");
  return /^\d+$/.test(digits) ? digits : normalized;
}

/**
 * The patterns a phone-number filter matches (`contains`): a number typed in
 * any form, or part of it, finds the stored 090-1234-5678.
 */
export function phoneNumberPatterns(text: string): string[] {
  const normalized = normalizeSearchText(text);
  if (!normalized) return [];
  const digits = digitsOf(normalized);
  return digits ? phoneNumberFragments(digits) : [normalized];
}

/** A period whose start comes after its end (a swapped from/to). Open ends never are. */
export function isReversedRange(from: Date | null | undefined, to: Date | null | undefined): boolean {
  return from != null && to != null && from.getTime() > to.getTime();
}
