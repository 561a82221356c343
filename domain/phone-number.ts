// Phone numbers as administrators write them (in Excel, by hand) and as lines
// store them (090-1234-5678). Shared by the API's CSV selection resolver and
// the web client's CSV reader.

/**
 * Separators people put between the digits: ASCII and full-width hyphens
 * (NFKC makes the latter ASCII), the dashes and minus signs word processors
 * substitute, the katakana prolonged sound mark typed for a hyphen, spaces,
 * dots and brackets.
 */
const SEPARATORS = /[\s\-‐‑‒–—―−ー().]/g;

/**
 * The stored form (`090-1234-5678`) of a mobile number written in any usual
 * way, or null when it is none:
 * - with or without hyphens, in full-width digits (０９０…), with spaces;
 * - with Excel's text prefix (`'09012345678`);
 * - as Excel shows a number column, without the leading zero (`9012345678`);
 * - in international form (`+81 90-1234-5678`, `81…`).
 * Mobile numbers (070/080/090, 020 for data lines) have 11 digits.
 */
export function normalizePhoneNumber(written: string): string | null {
  let digits = written.normalize("NFKC").trim().replace(/^'/, "").replaceAll(SEPARATORS, "");
  if (/^\+?81\d{10}$/.test(digits)) digits = `0${digits.replace(/^\+?81/, "")}`;
  else if (/^[1-9]\d{9}$/.test(digits)) digits = `0${digits}`;
  if (!/^0\d{10}$/.test(digits)) return null;
  return `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;
}
