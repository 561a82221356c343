// The idempotencyKey input field of submitPermissionChange and the mail sends
// (R17), validated before any database work.
import { z } from "zod";
import { idempotencyMessages } from "../domain/messages.ts";
import { IDEMPOTENCY_KEY_MAX_LENGTH } from "../services/idempotency.ts";

export const IDEMPOTENCY_KEY_DESCRIPTION = `R17: 1–${IDEMPOTENCY_KEY_MAX_LENGTH} characters (spaces around it are ignored). A retry by the same administrator or API token with the same key and the same request returns the original receipt (replayed: true); the same key with a different request is refused with IDEMPOTENCY_KEY_REUSED. Keys are per caller and per kind of receipt: another administrator's or token's key is unrelated.`;

/** The key without surrounding spaces, 1–200 characters (code points); otherwise BAD_USER_INPUT. */
export const idempotencyKey = z
  .string()
  .trim()
  .refine((key) => [...key].length >= 1 && [...key].length <= IDEMPOTENCY_KEY_MAX_LENGTH, {
    message: idempotencyMessages.INVALID_IDEMPOTENCY_KEY,
  })
  .nullish();
