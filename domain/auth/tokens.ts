// Bearer secrets. Both kinds are 256-bit random values, so a single SHA-256 is
// the right stored form (a slow password hash adds nothing against guessing a
// 256-bit value and would cost every request). The prefix tells the kinds apart.
import { createHash, randomBytes } from "node:crypto";

export const SESSION_PREFIX = "ses_";
export const API_TOKEN_PREFIX = "abt_";

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** "Bearer xyz" → "xyz"; also accepts the bare secret (graphql-ws connectionParams). */
export function bearerSecret(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (match) return match[1] ?? null;
  return /^\S+$/.test(header.trim()) ? header.trim() : null;
}
