// A receipt's progress bar, live: receiptProgress over graphql-ws. Each event
// carries the receipt (status, counts) and the item that changed, so
// Graphcache updates every table showing them. After a dropped connection the
// client resumes with afterSeq (see client.ts) and nothing is missed.
import { useSubscription } from "urql";
import { graphql } from "../gql/index.ts";
import { progressTexts, statusTexts } from "../texts.ts";

export const ReceiptProgressSubscription = graphql(`
  subscription ReceiptProgressLive($receiptId: ID!, $afterSeq: Int) {
    receiptProgress(receiptId: $receiptId, afterSeq: $afterSeq) {
      seq
      snapshot
      status
      receipt { id status completedAt progress { total pending processing succeeded failed } }
      item { id status completedAt error { code message } }
    }
  }
`);

export interface ProgressCounts {
  total: number;
  pending: number;
  processing: number;
  succeeded: number;
  failed: number;
}

export function LiveProgress({
  receiptId,
  initial,
}: {
  receiptId: string;
  initial?: { status: "PROCESSING" | "SUCCEEDED" | "FAILED"; progress: ProgressCounts };
}) {
  const finished = initial && initial.status !== "PROCESSING";
  const [{ data }] = useSubscription({
    query: ReceiptProgressSubscription,
    variables: { receiptId, afterSeq: null },
    pause: Boolean(finished),
  });
  const receipt = data?.receiptProgress.receipt ?? initial;
  if (!receipt) return null;
  return <ProgressBar status={receipt.status} progress={receipt.progress} />;
}

export function ProgressBar({
  status,
  progress,
}: {
  status: "PROCESSING" | "SUCCEEDED" | "FAILED";
  progress: ProgressCounts;
}) {
  const done = progress.succeeded + progress.failed;
  const percent = progress.total === 0 ? 100 : Math.round((done / progress.total) * 100);
  return (
    <div className="progress" data-status={status}>
      <div className="progress-head">
        <span>{progressTexts.label}</span>
        <strong>{statusTexts.receipt[status]}</strong>
        <span className="percent">{percent}%</span>
      </div>
      <div
        role="progressbar"
        aria-label={progressTexts.label}
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={done}
        aria-valuetext={`${percent}%`}
        className="bar"
      >
        <span
          className="succeeded"
          style={{ width: `${(progress.succeeded / Math.max(1, progress.total)) * 100}%` }}
        />
        <span
          className="failed"
          style={{ width: `${(progress.failed / Math.max(1, progress.total)) * 100}%` }}
        />
      </div>
      <p className="counts">{progressTexts.counts(progress)}</p>
    </div>
  );
}
