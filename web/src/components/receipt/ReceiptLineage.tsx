// A receipt's lineage in 履歴詳細 (R11, R19): the receipt it resends or
// retries (元の受付) and those that resend or retry it (再設定の受付 / 再送の
// 受付), each a link to its own 履歴詳細. Read again whenever the receipt's
// status or failure count moves, so a failure seen live (and the retry it
// allows) shows without reloading.
import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { Link } from "wouter";
import type { ReceiptLineageQuery as Lineage } from "../../gql/graphql.ts";
import { graphql } from "../../gql/index.ts";
import { historyTexts, retryTexts, statusTexts } from "../../texts.ts";
import type { ReceiptHeader } from "./ReceiptPage.tsx";

const ReceiptLineageQuery = graphql(`
  query ReceiptLineage($number: String!) {
    receipt(number: $number) {
      id
      retryableItemCount
      resendOf { id number }
      resends(first: 20) { totalCount edges { node { id number status } } }
    }
  }
`);

export type ReceiptLineageData = NonNullable<Lineage["receipt"]>;

export function useReceiptLineage(receipt: ReceiptHeader): ReceiptLineageData | null {
  const [{ data }, reexecute] = useQuery({
    query: ReceiptLineageQuery,
    variables: { number: receipt.number },
  });
  const moved = `${receipt.status}:${receipt.progress.failed}`;
  const [seen, setSeen] = useState(moved);
  useEffect(() => {
    if (moved === seen) return;
    setSeen(moved);
    reexecute({ requestPolicy: "network-only" });
  }, [moved, seen, reexecute]);
  return data?.receipt ?? null;
}

export function ReceiptLineage({
  kind,
  lineage,
}: {
  kind: ReceiptHeader["kind"];
  lineage: ReceiptLineageData | null;
}) {
  if (!lineage || (!lineage.resendOf && lineage.resends.edges.length === 0)) return null;
  const children = kind === "PERMISSION_CHANGE" ? retryTexts.retries : retryTexts.resends;
  return (
    <nav aria-label={retryTexts.lineage}>
      <dl className="receipt-summary receipt-lineage">
        {lineage.resendOf && (
          <>
            <dt>{retryTexts.parent}:</dt>
            <dd>
              <Link href={`/history/${lineage.resendOf.number}`}>{lineage.resendOf.number}</Link>
            </dd>
          </>
        )}
        {lineage.resends.edges.length > 0 && (
          <>
            <dt>{children}:</dt>
            <dd>
              <ul className="receipt-lineage-list">
                {lineage.resends.edges.map(({ node }) => (
                  <li key={node.id}>
                    <Link href={`/history/${node.number}`}>{node.number}</Link>
                    <span className="receipt-lineage-status">
                      （{historyTexts.status}: {statusTexts.receipt[node.status]}）
                    </span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </nav>
  );
}
