// 完了 of a mail request: the receipt, lines that needed no mail (R9/R10,
// with the reason), and the sending followed live.
import { Link } from "wouter";
import { commonTexts, historyTexts, mailTexts } from "../texts.ts";
import { NotifyButton } from "./BatchNotices.tsx";
import { Page } from "./Layout.tsx";
import { LiveProgress, type ProgressCounts } from "./LiveProgress.tsx";

export function MailSent({
  title,
  lead,
  receipt,
  skipped,
  next,
}: {
  title: string;
  lead: readonly string[];
  receipt: {
    id: string;
    number: string;
    status: "PROCESSING" | "SUCCEEDED" | "FAILED";
    progress: ProgressCounts;
  };
  skipped: readonly {
    code: string;
    reason: string;
    line: { id: string; phoneNumber: string; name: string };
  }[];
  next?: { href: string; label: string };
}) {
  return (
    <Page title={`${title} 完了`} lead={lead}>
      <p className="receipt-number">
        {historyTexts.number}: <Link href={`/history/${receipt.number}`}>{receipt.number}</Link>
      </p>
      <LiveProgress receiptId={receipt.id} initial={receipt} />
      {receipt.status === "PROCESSING" && <NotifyButton />}
      {skipped.length > 0 && (
        <section aria-labelledby="skipped-title">
          <h2 id="skipped-title">
            {mailTexts.skippedTitle}（{skipped.length}件）
          </h2>
          <ul className="skipped">
            {skipped.map((s) => (
              <li key={s.line.id}>
                {s.line.phoneNumber} {s.line.name}: {s.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="actions">
        <Link href="/" className="button primary">
          {commonTexts.ok}
        </Link>
        {next && (
          <Link href={next.href} className="button">
            {next.label}
          </Link>
        )}
      </div>
    </Page>
  );
}
