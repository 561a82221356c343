// 履歴詳細: one receipt line by line, by its kind: a permission change shows
// the targets (ON/OFF) and each line's status; mail receipts let the
// administrator pick lines and resend (R11). Items update live while the
// receipt is processing.
import { useState } from "react";
import { useQuery } from "urql";
import { Link, useParams } from "wouter";
import { Page } from "../components/Layout.tsx";
import { MailSent } from "../components/MailSent.tsx";
import { Loading, RequestError } from "../components/Messages.tsx";
import { AppDownloadMailDetail, PasswordNoticeDetail } from "../components/receipt/MailReceiptDetail.tsx";
import { PermissionChangeDetail } from "../components/receipt/PermissionChangeDetail.tsx";
import type { MailRequestFieldsFragment } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { commonTexts, historyTexts, mailTexts } from "../texts.ts";

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
  // A resend's 完了 replaces the detail it was sent from.
  const [sent, setSent] = useState<MailRequestFieldsFragment | null>(null);
  const receipt = data?.receipt;

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

  if (sent?.receipt) {
    return (
      <MailSent
        title={mailTexts.resend}
        lead={mailTexts.resendDoneLead}
        receipt={sent.receipt}
        skipped={sent.skipped}
      />
    );
  }

  switch (receipt.kind) {
    case "PERMISSION_CHANGE":
      return <PermissionChangeDetail receipt={receipt} />;
    case "APP_DOWNLOAD_MAIL":
      return <AppDownloadMailDetail receipt={receipt} onSent={setSent} />;
    case "PASSWORD_NOTICE_MAIL":
      return <PasswordNoticeDetail receipt={receipt} onSent={setSent} />;
  }
}
