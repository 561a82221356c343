// The buttons that act on a screen (確認画面へ, 決定, 依頼メール送信 …), kept
// in view at the bottom of the window however long the table above, with
// what they were answered right beside them: the messages (announced, and
// focused when an action produced them, so pressing a button never looks like
// nothing happened), the lines the server named (their rows are marked in the
// list) and a way to deselect those lines at once.
import { type ReactNode, useEffect, useRef } from "react";
import { guidanceTexts } from "../texts.ts";

/** A selected line an answer named (userErrors' lineIds). */
export interface FlaggedLine {
  id: string;
  phoneNumber: string;
}

/** How many of the named lines are spelled out; the rest are counted. */
const LISTED = 10;

export function ActionBar({
  errors,
  notice,
  flagged = [],
  onDeselectFlagged,
  children,
}: {
  /** What the last action was answered; focus moves to it whenever it is new. */
  errors: readonly string[];
  /** What a selection was told as it was made (R3's limit): announced, focus stays where it is. */
  notice?: string | null;
  flagged?: readonly FlaggedLine[];
  onDeselectFlagged?: () => void;
  children: ReactNode;
}) {
  const feedback = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length > 0) feedback.current?.focus();
  }, [errors]);
  const messages = [...new Set([...(notice ? [notice] : []), ...errors])];
  return (
    <div className="action-bar">
      {/* Focusable so that focus can be moved here; the messages are a live region of their own. */}
      <div ref={feedback} tabIndex={-1} className="action-feedback">
        <div role="alert">
          {messages.length > 0 && (
            <div className="errors">
              {messages.map((message) => (
                <p key={message}>{message}</p>
              ))}
            </div>
          )}
        </div>
        {flagged.length > 0 && errors.length > 0 && (
          <div className="flagged">
            <p>
              {guidanceTexts.flaggedLines(
                flagged.slice(0, LISTED).map((line) => line.phoneNumber),
                flagged.length,
              )}
            </p>
            {onDeselectFlagged && (
              <button type="button" onClick={onDeselectFlagged}>
                {guidanceTexts.deselectFlagged}
              </button>
            )}
          </div>
        )}
      </div>
      <div className="actions">{children}</div>
    </div>
  );
}
