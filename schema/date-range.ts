// A period given by two DateTime filter fields (from … to, both inclusive).
// Given backwards it is refused before any database work, with a Japanese
// message and a reason, instead of answering an empty list.
import { z } from "zod";
import { filterErrorMessages } from "../domain/messages.ts";
import { isReversedRange } from "../domain/search.ts";

/** For an input type's `validate`: `from` must not come after `to` (either may be missing). */
export function orderedPeriod(from: string, to: string) {
  return z
    .custom<Record<string, unknown>>((value) => typeof value === "object" && value !== null)
    .refine((filter) => !isReversedRange(asDate(filter[from]), asDate(filter[to])), {
      message: filterErrorMessages.DATE_RANGE_REVERSED,
      path: [to],
      // validationFailure (schema/validation.ts) passes it on as extensions.reason.
      params: { reason: "DATE_RANGE_REVERSED" },
    });
}

function asDate(value: unknown): Date | null {
  return value instanceof Date ? value : null;
}
