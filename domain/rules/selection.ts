// R3 Selection errors: checked at selection, confirmation, submission and
// mail sends, on the selection after groups are expanded.
import { type UserErrorCode, userErrorMessages } from "../messages.ts";

export const MAX_LINES_PER_REQUEST = 200;

export interface SelectionError {
  code: UserErrorCode;
  message: string;
  /** The offending lines, where there are some (cancelled lines). */
  lineIds: string[];
}

export function userError(code: UserErrorCode, lineIds: string[] = []): SelectionError {
  return { code, message: userErrorMessages[code], lineIds };
}

export function selectionErrors(lines: readonly { id: string; contractStatus: string }[]): SelectionError[] {
  if (lines.length === 0) return [userError("NO_LINES_SELECTED")];
  const errors: SelectionError[] = [];
  if (lines.length > MAX_LINES_PER_REQUEST) errors.push(userError("TOO_MANY_LINES"));
  const cancelled = lines.filter((l) => l.contractStatus === "CANCELLED").map((l) => l.id);
  if (cancelled.length > 0) errors.push(userError("CANCELLED_LINE_SELECTED", cancelled));
  return errors;
}
