// 履歴詳細: one receipt line by line, by its kind: a permission change shows
// the targets (ON/OFF) and each line's status; mail receipts let the
// administrator pick lines and resend (R11). Items update live while the
// receipt is processing.
import { useQuery } from "urql";
import { Link, useLocation, useParams } from "wouter";
import { Page } from "../components/Layout.tsx";
import { Loading, RequestError } from "../components/Messages.tsx";
import { AppDownloadMailDetail, PasswordNoticeDetail } from "../components/receipt/MailReceiptDetail.tsx";
import { PermissionChangeDetail } from "../components/receipt/PermissionChangeDetail.tsx";
import type { MailRequestFieldsFragment } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { commonTexts, historyTexts } from "../texts.ts";
import { mailDonePath, rememberSkipped } from "./MailDone.tsx";

const ReceiptHeaderQuery = graphql(`
  query ReceiptHeader($number: String!) {
    receipt(number: $number) {
      id number kind status receivedAt completedAt waitingFor retryAt
      admin { name loginId }
      progress { total pending processing succeeded failed }
    }
  }
`);

export function HistoryDetail() {
  const { number = "" } = useParams<{ number: string }>();
  const [{ data, fetching, error }] = useQuery({ query: ReceiptHeaderQuery, variables: { number } });
  const receipt = data?.receipt;
  const [, navigate] = useLocation();
  // A resend's 完了 has its own URL (the new receipt's number), so a reload keeps it.
  const setSent = (sent: MailRequestFieldsFragment) => {
    if (!sent.receipt || !receipt || receipt.kind === "PERMISSION_CHANGE") return;
    rememberSkipped(sent.receipt.number, sent.skipped);
    navigate(
      mailDonePath({ number: sent.receipt.number, kind: receipt.kind }, { resentFrom: receipt.number }),
    );
  };

  if (fetching && !data) return <Loading />;
  if (!receipt) {
    return (
      <Page title={historyTexts.detailTitle}>
        <RequestError error={error} />
        <p className="empty">{commonTexts.emptyReceipts}</p>
        <Link href="/history" className="button">
          {commonTexts.back}
        </Link>
      </Page>
    );
  }

  // Keyed by number: following a lineage link or a retry starts the next receipt's detail afresh.
  switch (receipt.kind) {
    case "PERMISSION_CHANGE":
      return <PermissionChangeDetail key={receipt.number} receipt={receipt} />;
    case "APP_DOWNLOAD_MAIL":
      return <AppDownloadMailDetail key={receipt.number} receipt={receipt} onSent={setSent} />;
    case "PASSWORD_NOTICE_MAIL":
      return <PasswordNoticeDetail key={receipt.number} receipt={receipt} onSent={setSent} />;
  }
}
