// R3 Selection errors and R16 out-of-service lines: checked at selection,
// confirmation, submission and mail sends, on the selection after groups are
// expanded.
import { type UserErrorCode, userErrorMessages } from "../messages.ts";

export const MAX_LINES_PER_REQUEST = 200;

export interface SelectionError {
  code: UserErrorCode;
  message: string;
  /** The offending lines, where there are some (cancelled and out-of-service lines). */
  lineIds: string[];
}

export function userError(code: UserErrorCode, lineIds: string[] = []): SelectionError {
  return { code, message: userErrorMessages[code], lineIds };
}

/** R16: 3G feature phones are out of service for this product (サービス対象外). */
export const OUT_OF_SERVICE_DEVICE_KIND = "FEATURE_PHONE_3G";

export function isOutOfService(deviceKind: string): boolean {
  return deviceKind === OUT_OF_SERVICE_DEVICE_KIND;
}

export function selectionErrors(
  lines: readonly { id: string; contractStatus: string; deviceKind: string }[],
): SelectionError[] {
  if (lines.length === 0) return [userError("NO_LINES_SELECTED")];
  const errors: SelectionError[] = [];
  if (lines.length > MAX_LINES_PER_REQUEST) errors.push(userError("TOO_MANY_LINES"));
  const cancelled = lines.filter((l) => l.contractStatus === "CANCELLED").map((l) => l.id);
  if (cancelled.length > 0) errors.push(userError("CANCELLED_LINE_SELECTED", cancelled));
  const outOfService = lines.filter((l) => isOutOfService(l.deviceKind)).map((l) => l.id);
  if (outOfService.length > 0) errors.push(userError("OUT_OF_SERVICE_LINE_SELECTED", outOfService));
  return errors;
}
