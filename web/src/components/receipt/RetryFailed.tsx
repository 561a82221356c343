// 「異常終了分を再設定」 (R19) in 履歴詳細 of a permission change: the same
// confirmation dialog as a mail resend, then retryFailedItems for every failed
// line no retry took up yet, then the new receipt's 履歴詳細 with its live
// progress. One idempotency key per screen: a double click or a request sent
// again cannot make two retries (R17). Refusals (R3–R5) show next to the button.
import { useState } from "react";
import { useMutation } from "urql";
import { useLocation } from "wouter";
import { newIdempotencyKey } from "../../format.ts";
import { graphql } from "../../gql/index.ts";
import { commonTexts, retryTexts } from "../../texts.ts";
import { ConfirmDialog } from "../ConfirmDialog.tsx";
import { ErrorMessages } from "../Messages.tsx";

const RetryFailedItems = graphql(`
  mutation RetryFailedItems($input: RetryFailedItemsInput!) {
    retryFailedItems(input: $input) {
      replayed
      receipt { id number status }
      userErrors { code message field lineIds }
    }
  }
`);

function useRetryFailed(receiptId: string) {
  const [, navigate] = useLocation();
  const [{ fetching }, retry] = useMutation(RetryFailedItems);
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function confirm() {
    setConfirming(false);
    const result = await retry({ input: { receiptId, idempotencyKey } });
    const payload = result.data?.retryFailedItems;
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt) {
      return setErrors(payload.userErrors.map((e) => e.message));
    }
    navigate(`/history/${payload.receipt.number}`);
  }

  return {
    errors,
    busy: fetching,
    ask: () => {
      setErrors([]);
      setConfirming(true);
    },
    dialog: {
      open: confirming,
      message: retryTexts.confirm,
      onConfirm: confirm,
      onCancel: () => setConfirming(false),
    },
  };
}

/** The button, with the refusals above it and the dialog; shown while some failed line awaits a retry. */
export function RetryFailedAction({
  receiptId,
  count,
}: {
  receiptId: string;
  /** Failed lines no retry took up yet (Receipt.retryableItemCount). */
  count: number;
}) {
  const retry = useRetryFailed(receiptId);
  if (count === 0 && retry.errors.length === 0) return null;
  return (
    <div className="retry-failed">
      <ErrorMessages errors={retry.errors} />
      {count > 0 && (
        <div className="actions">
          <button type="button" className="primary" onClick={retry.ask} disabled={retry.busy}>
            {retryTexts.action}
          </button>
        </div>
      )}
      <ConfirmDialog {...retry.dialog} count={count} />
    </div>
  );
}
