// The idempotencyKey argument of submitPermissionChange and the mail sends
// (R17), checked here before any database work.
import { GraphQLError } from "graphql";
import { idempotencyMessages } from "../domain/messages.ts";
import { IDEMPOTENCY_KEY_MAX_LENGTH } from "../services/idempotency.ts";

export const IDEMPOTENCY_KEY_DESCRIPTION = `R17: 1–${IDEMPOTENCY_KEY_MAX_LENGTH} characters (spaces around it are ignored). A retry by the same administrator or API token with the same key and the same request returns the original receipt (replayed: true); the same key with a different request is refused with IDEMPOTENCY_KEY_REUSED. Keys are per caller and per kind of receipt: another administrator's or token's key is unrelated.`;

/** The key without surrounding spaces, or null without one; a key out of bounds is BAD_USER_INPUT. */
export function idempotencyKeyArg(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const key = value.trim();
  const length = [...key].length;
  if (length < 1 || length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw new GraphQLError(idempotencyMessages.INVALID_IDEMPOTENCY_KEY, {
      extensions: { code: "BAD_USER_INPUT", field: "idempotencyKey" },
    });
  }
  return key;
}
