import { Link } from "wouter";
import { Page, Steps } from "../components/Layout.tsx";
import { LiveProgress } from "../components/LiveProgress.tsx";
import { useFlow } from "../flow.tsx";
import { commonTexts, historyTexts, permissionTexts } from "../texts.ts";

export function PermissionDone() {
  const { receipt } = useFlow();
  return (
    <Page title={permissionTexts.doneTitle} lead={permissionTexts.doneLead}>
      <Steps current={2} />
      {receipt && (
        <>
          <p className="receipt-number">
            {historyTexts.number}: <Link href={`/history/${receipt.number}`}>{receipt.number}</Link>
          </p>
          <LiveProgress receiptId={receipt.id} />
        </>
      )}
      {permissionTexts.doneAppNote.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <div className="actions">
        <Link href="/" className="button primary">
          {commonTexts.ok}
        </Link>
        <Link href="/app-mail?preselected=1" className="button">
          {permissionTexts.toAppMail}
        </Link>
      </div>
    </Page>
  );
}
