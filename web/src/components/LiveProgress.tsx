// A receipt's progress bar, live: receiptProgressBatch over graphql-ws. Each
// batch carries the receipt (status, counts) and the items that changed since
// the previous one, so Graphcache updates every table showing them; in a
// burst the server sends one batch per tick instead of one frame per event.
// After a dropped connection the client resumes with afterSeq (see
// resumableProgress.ts) and nothing is missed.
import { useSubscription } from "urql";
import { formatUpcomingTime } from "../format.ts";
import { graphql } from "../gql/index.ts";
import { progressTexts, statusTexts, waitingMessages } from "../texts.ts";
import { resumableProgress } from "./resumableProgress.ts";

export const ReceiptProgressSubscription = graphql(`
  subscription ReceiptProgressLive($receiptId: ID!, $afterSeq: Int) {
    receiptProgressBatch(receiptId: $receiptId, afterSeq: $afterSeq) {
      lastSeq
      receipt { id status completedAt waitingFor retryAt progress { total pending processing succeeded failed } }
      events {
        seq
        snapshot
        status
        item { id status completedAt waitingFor retryAt error { code message } }
      }
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

/** Why a receipt or item is still 処理中, when it waits for a dependency that is down. */
export interface Waiting {
  waitingFor?: "CARRIER" | "MAIL_SERVER" | null;
  retryAt?: string | null;
}

export function WaitingNote({ waitingFor, retryAt }: Waiting) {
  if (!waitingFor) return null;
  return <span className="waiting-note">{waitingMessages[waitingFor](formatUpcomingTime(retryAt))}</span>;
}

export function LiveProgress({
  receiptId,
  initial,
}: {
  receiptId: string;
  initial?: { status: "PROCESSING" | "SUCCEEDED" | "FAILED"; progress: ProgressCounts } & Waiting;
}) {
  const finished = initial && initial.status !== "PROCESSING";
  const [{ data }] = useSubscription({
    query: ReceiptProgressSubscription,
    variables: { receiptId, afterSeq: null },
    context: resumableProgress,
    pause: Boolean(finished),
  });
  const receipt = data?.receiptProgressBatch.receipt ?? initial;
  if (!receipt) return null;
  return (
    <ProgressBar
      status={receipt.status}
      progress={receipt.progress}
      waitingFor={receipt.waitingFor}
      retryAt={receipt.retryAt}
    />
  );
}

export function ProgressBar({
  status,
  progress,
  waitingFor,
  retryAt,
}: {
  status: "PROCESSING" | "SUCCEEDED" | "FAILED";
  progress: ProgressCounts;
} & Waiting) {
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
      {status === "PROCESSING" && waitingFor && (
        <p className="waiting" role="status">
          <WaitingNote waitingFor={waitingFor} retryAt={retryAt} />
        </p>
      )}
    </div>
  );
}
