// What 履歴詳細 shows of every receipt, whatever its kind: the summary, the
// live progress, and each item's status.
import type { ReactNode } from "react";
import { formatDateTime } from "../../format.ts";
import type { ReceiptHeaderQuery } from "../../gql/graphql.ts";
import { historyTexts, statusTexts } from "../../texts.ts";
import { Page } from "../Layout.tsx";
import { LiveProgress, type Waiting, WaitingNote } from "../LiveProgress.tsx";
import { useSettledItems } from "./useSettledItems.ts";

export type ReceiptHeader = NonNullable<ReceiptHeaderQuery["receipt"]>;

export function ReceiptPage({ receipt, children }: { receipt: ReceiptHeader; children: ReactNode }) {
  useSettledItems(receipt);
  const kindLabel =
    receipt.kind === "PASSWORD_NOTICE_MAIL" ? historyTexts.passwordMenu : statusTexts.kind[receipt.kind];
  return (
    <Page title={historyTexts.detailTitle} lead={[historyTexts.detailLead[receipt.kind]]}>
      <dl className="receipt-summary">
        <dt>{historyTexts.number}:</dt>
        <dd className="receipt-number">{receipt.number}</dd>
        <dt>{historyTexts.menu}:</dt>
        <dd>{kindLabel}</dd>
        <dt>{historyTexts.adminName}:</dt>
        <dd>
          {receipt.admin.name}（{receipt.admin.loginId}）
        </dd>
        <dt>{historyTexts.receivedAt}:</dt>
        <dd>{formatDateTime(receipt.receivedAt)}</dd>
        <dt>{historyTexts.completedAt}:</dt>
        <dd>{formatDateTime(receipt.completedAt)}</dd>
      </dl>
      <LiveProgress
        receiptId={receipt.id}
        initial={{
          status: receipt.status,
          progress: receipt.progress,
          waitingFor: receipt.waitingFor,
          retryAt: receipt.retryAt,
        }}
      />
      {children}
    </Page>
  );
}

/** An item's status cell: its result, the carrier's error, or why it still waits. */
export function ItemStatusCell({
  item,
}: {
  item: { status: keyof typeof statusTexts.item; error?: { message: string } | null } & Waiting;
}) {
  return (
    <td className="status-col">
      {statusTexts.item[item.status]}
      {item.error && <span className="item-error">（{item.error.message}）</span>}
      {item.status === "PROCESSING" && <WaitingNote waitingFor={item.waitingFor} retryAt={item.retryAt} />}
    </td>
  );
}
