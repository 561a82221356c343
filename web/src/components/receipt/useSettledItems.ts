// When a receipt shown as 処理中 finishes, its items' final states are read
// once more. Live events update the items table, but a receipt opened right
// after it was accepted (a retry's 履歴詳細, with a fast carrier) may have
// had items finish between the table's read and the progress subscription's
// snapshot, which carries the receipt and no items: those rows would stay
// 処理中. Graphcache keys items by id, so this read updates every row shown.
import { useEffect, useState } from "react";
import { useClient } from "urql";
import { graphql } from "../../gql/index.ts";

const SettledItemsQuery = graphql(`
  query SettledItems($number: String!) {
    receipt(number: $number) {
      id
      items(first: 200) { edges { node { id status completedAt waitingFor retryAt error { code message } } } }
    }
  }
`);

export function useSettledItems(receipt: { number: string; status: string }) {
  const client = useClient();
  const [seen, setSeen] = useState(receipt.status);
  useEffect(() => {
    if (receipt.status === seen) return;
    setSeen(receipt.status);
    if (seen === "PROCESSING") {
      void client
        .query(SettledItemsQuery, { number: receipt.number }, { requestPolicy: "network-only" })
        .toPromise();
    }
  }, [client, receipt.number, receipt.status, seen]);
}
