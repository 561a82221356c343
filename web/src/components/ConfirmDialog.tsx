// The portal's confirmation popup (R9, R10): the manual's question and
// 「対象回線 : N件」, with OK and キャンセル. A native <dialog> gives focus
// trapping and Escape for free.
import { useEffect, useRef } from "react";
import { commonTexts, targetLineCount } from "../texts.ts";

export function ConfirmDialog({
  open,
  message,
  count,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  message: string;
  count: number;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-message" onCancel={onCancel}>
      <p id="confirm-message">{message}</p>
      <p>{targetLineCount(count)}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onConfirm}>
          {commonTexts.ok}
        </button>
        <button type="button" onClick={onCancel}>
          {commonTexts.cancel}
        </button>
      </div>
    </dialog>
  );
}
