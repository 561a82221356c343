// R17: an idempotency key belongs to its caller. A key replays only the same
// administrator's (or API token's) earlier request of the same kind and the
// same body; the same key with another body is refused. Another caller's key
// means nothing here: it is a new request for them, and nothing of the other
// caller's receipt is revealed. receipts.ts (acceptOnce) applies this to
// every kind of receipt.
import { createHash } from "node:crypto";
import type { Actor } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import { Prisma } from "../prisma/generated/client/client.ts";
import type { ReceiptKind } from "../prisma/generated/client/enums.ts";

/** Longest key accepted, in characters (the boundary checks it before any database work). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;

/** A keyed request: the key, who owns it, and what it asked for. */
export interface KeyedRequest {
  key: string;
  callerId: string;
  fingerprint: string;
}

/**
 * The key with its owner and the request's fingerprint, or null without a
 * key. `body` is the request as normalized by its service (ids decoded, order
 * and duplicates that do not change its meaning removed).
 */
export function keyedRequest(
  actor: Actor,
  key: string | null | undefined,
  body: unknown,
): KeyedRequest | null {
  if (!key) return null;
  return {
    key,
    callerId: actor.kind === "admin" ? actor.adminId : actor.tokenId,
    fingerprint: createHash("sha256").update(canonicalJson(body)).digest("hex"),
  };
}

/** JSON with object keys in order and null or undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const members = Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Entries in id order, whatever order they were sent in. The sort is stable:
 * entries repeating one id keep their order, which may decide which one counts.
 */
export function sortedById<T>(entries: readonly T[], id: (entry: T) => string): T[] {
  return [...entries].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}

/** What a keyed receipt stores. */
export function keyColumns(request: KeyedRequest | null) {
  return {
    idempotencyKey: request?.key ?? null,
    idempotencyCallerId: request?.callerId ?? null,
    idempotencyFingerprint: request?.fingerprint ?? null,
  };
}

/**
 * The caller's earlier receipt of this kind under this key: its id when the
 * body is the same (a replay), `reused` when it is not, null when there is none.
 */
export async function earlierRequest(
  db: Db,
  actor: Actor,
  kind: ReceiptKind,
  request: KeyedRequest,
): Promise<{ receiptId: string; items: number } | "reused" | null> {
  const receipt = await db.receipt.findFirst({
    where: {
      accountId: actor.accountId,
      idempotencyCallerId: request.callerId,
      kind,
      idempotencyKey: request.key,
    },
    select: { id: true, idempotencyFingerprint: true, _count: { select: { items: true } } },
  });
  if (!receipt) return null;
  // Receipts keyed before fingerprints were stored replay as they always did.
  const stored = receipt.idempotencyFingerprint;
  if (stored !== null && stored !== request.fingerprint) return "reused";
  return { receiptId: receipt.id, items: receipt._count.items };
}

/** Two requests with one key raced: the unique index let the other one in. */
export function lostKeyRace(request: KeyedRequest | null, error: unknown): request is KeyedRequest {
  return request !== null && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
