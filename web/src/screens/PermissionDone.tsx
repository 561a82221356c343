// 完了 of a permission change, by the receipt number in its URL: a reload or
// the same link in another tab shows the receipt and its live progress again.
// アプリダウンロード依頼 opens the mail screen with the lines this receipt
// allowed already selected (R9), read from the receipt (?from=NUMBER).
import { useQuery } from "urql";
import { Link, useParams } from "wouter";
import { NotifyButton, useWatchReceipt } from "../components/BatchNotices.tsx";
import { Page, Steps } from "../components/Layout.tsx";
import { LiveProgress } from "../components/LiveProgress.tsx";
import { Loading, RequestError } from "../components/Messages.tsx";
import { graphql } from "../gql/index.ts";
import { commonTexts, historyTexts, permissionTexts } from "../texts.ts";

const PermissionDoneQuery = graphql(`
  query PermissionDone($number: String!) {
    receipt(number: $number) {
      id number kind status
      progress { total pending processing succeeded failed }
    }
  }
`);

export function PermissionDone() {
  const { number = "" } = useParams<{ number: string }>();
  const [{ data, fetching, error }] = useQuery({ query: PermissionDoneQuery, variables: { number } });
  const receipt = data?.receipt?.kind === "PERMISSION_CHANGE" ? data.receipt : null;
  useWatchReceipt(receipt);
  if (fetching && !data) return <Loading />;
  return (
    <Page title={permissionTexts.doneTitle} lead={permissionTexts.doneLead}>
      <Steps current={2} />
      <RequestError error={error} />
      {receipt ? (
        <>
          <p className="receipt-number">
            {historyTexts.number}: <Link href={`/history/${receipt.number}`}>{receipt.number}</Link>
          </p>
          <LiveProgress receiptId={receipt.id} initial={receipt} />
          {receipt.status === "PROCESSING" && <NotifyButton />}
        </>
      ) : (
        <p className="empty">{commonTexts.emptyReceipts}</p>
      )}
      {permissionTexts.doneAppNote.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <div className="actions">
        <Link href="/" className="button primary">
          {commonTexts.ok}
        </Link>
        <Link href={`/app-mail?from=${encodeURIComponent(number)}`} className="button">
          {permissionTexts.toAppMail}
        </Link>
      </div>
    </Page>
  );
}
