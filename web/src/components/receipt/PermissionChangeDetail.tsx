// 履歴詳細 of a permission change: each line's targets (ON/OFF) and status,
// the receipts it came from or led to, and 「異常終了分を再設定」 (R19).
import { Link } from "wouter";
import { formatDateTime } from "../../format.ts";
import { useReceiptItems } from "../../hooks/useReceiptItems.ts";
import { commonTexts, csvExportTexts, historyTexts, permissionTexts } from "../../texts.ts";
import { CsvExport } from "../CsvExport.tsx";
import { Loading } from "../Messages.tsx";
import { Pager, PageSizeSelect } from "../Paging.tsx";
import { TableRegion } from "../TableRegion.tsx";
import { ItemFilters } from "./ItemFilters.tsx";
import { ReceiptLineage, useReceiptLineage } from "./ReceiptLineage.tsx";
import { ItemStatusCell, type ReceiptHeader, ReceiptPage } from "./ReceiptPage.tsx";
import { RetryFailedAction } from "./RetryFailed.tsx";

export function PermissionChangeDetail({ receipt }: { receipt: ReceiptHeader }) {
  const items = useReceiptItems(receipt.number);
  const lineage = useReceiptLineage(receipt);
  return (
    <ReceiptPage receipt={receipt}>
      <ReceiptLineage kind={receipt.kind} lineage={lineage} />
      <ItemFilters onChange={items.setFilter} empty={items.rows.length === 0 && !items.loadingPage} />
      <CsvExport
        what={csvExportTexts.detail}
        path={`receipts/${receipt.number}/items.csv`}
        variables={{ filter: items.filter }}
      />
      <div className="selection-bar">
        <output className="counter">{`対象回線選択: ${items.totalCount}件`}</output>
        <PageSizeSelect value={items.pageSize} onChange={items.setPageSize} />
      </div>
      {items.loading ? (
        <Loading />
      ) : (
        <TableRegion label={historyTexts.detailTitle}>
          <table aria-label={historyTexts.detailTitle}>
            <thead>
              <tr>
                <th scope="col">{commonTexts.no}</th>
                <th scope="col">{commonTexts.group}</th>
                <th scope="col">{commonTexts.phone}</th>
                <th scope="col">{commonTexts.name}</th>
                <th scope="col">{historyTexts.completedAt}</th>
                <th scope="col">{commonTexts.backup}</th>
                <th scope="col">{commonTexts.migration}</th>
                <th scope="col" className="status-col">
                  {historyTexts.status}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.rows.map((item, index) => (
                <tr key={item.id} data-status={item.status}>
                  <td>{items.rowNumber(index)}</td>
                  <td>{item.groupName ?? ""}</td>
                  <td>{item.phoneNumber}</td>
                  <td>{item.name}</td>
                  <td>{formatDateTime(item.completedAt)}</td>
                  <td>{item.backup ? commonTexts.on : commonTexts.off}</td>
                  <td>{item.phonebookMigration ? commonTexts.on : commonTexts.off}</td>
                  <ItemStatusCell item={item} />
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <Pager page={items.page} pages={items.pages} onChange={items.setPage} label="履歴詳細のページ" />
      <RetryFailedAction receiptId={receipt.id} count={lineage?.retryableItemCount ?? 0} />
      <div className="actions">
        <Link href="/history" className="button">
          {commonTexts.back}
        </Link>
        <Link href="/permissions" className="button">
          {permissionTexts.title}
        </Link>
      </div>
    </ReceiptPage>
  );
}
