// Global IDs at the boundary: every argument that takes the id of a known
// type is `t.arg.globalID({ for })` / `t.globalID({ for })` (or their List
// forms), decoded by Pothos before any resolver runs, through the builder's
// `decodeGlobalID` (here), so nothing that is not one of our ids reaches a
// service or the database. Every id the database generates is a UUID; a uuid
// column refuses anything else, and the query would fail as a whole.
import { PothosValidationError } from "@pothos/core";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { isUuid } from "../lib/ids.ts";

/** The client error for an ID argument that is not one of ours. */
export function invalidIdError(expected?: string): GraphQLError {
  const article = expected && /^[AEIOU]/.test(expected) ? "an" : "a";
  return new GraphQLError(
    expected
      ? `Invalid ID: expected the ID of ${article} ${expected}, as this API returns it.`
      : "Invalid ID: not an ID this API returned.",
    { extensions: { code: "BAD_USER_INPUT" } },
  );
}

/**
 * A global ID as its type name and raw id; anything malformed, or whose raw
 * id is not a UUID, is a BAD_USER_INPUT error. The builder's relay
 * `decodeGlobalID` option, so `node(id)` and every globalID argument use it.
 */
export function decodeNodeId(globalID: string): { typename: string; id: string } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(String(globalID));
  } catch {
    throw invalidIdError();
  }
  if (!isUuid(decoded.id)) throw invalidIdError();
  return decoded;
}

// Pothos checks a decoded id's type against `for` itself and throws
// "ID: <the id> is not of type: Line, Group"; the client gets our wording.
const OF_ANOTHER_TYPE = / is not of type: ([A-Za-z_]\w*(?:, [A-Za-z_]\w*)*)$/;

/** The message for a global ID of the wrong type, when `error` is Pothos's refusal of one. */
export function wrongTypeMessage(error: unknown): string | null {
  if (!(error instanceof PothosValidationError) || !error.message.startsWith("ID: ")) return null;
  const types = OF_ANOTHER_TYPE.exec(error.message)?.[1];
  return types ? invalidIdError(types.split(", ").join(" or ")).message : null;
}
