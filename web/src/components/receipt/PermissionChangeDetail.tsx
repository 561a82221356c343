// 履歴詳細 of a permission change: each line's targets (ON/OFF) and status.
import { Link } from "wouter";
import { formatDateTime } from "../../format.ts";
import { useReceiptItems } from "../../hooks/useReceiptItems.ts";
import { commonTexts, historyTexts, permissionTexts } from "../../texts.ts";
import { Loading } from "../Messages.tsx";
import { Pager, PageSizeSelect } from "../Paging.tsx";
import { ItemStatusCell, type ReceiptHeader, ReceiptPage } from "./ReceiptPage.tsx";

export function PermissionChangeDetail({ receipt }: { receipt: ReceiptHeader }) {
  const items = useReceiptItems(receipt.number);
  return (
    <ReceiptPage receipt={receipt}>
      <div className="selection-bar">
        <output className="counter">{`対象回線選択: ${items.totalCount}件`}</output>
        <PageSizeSelect value={items.pageSize} onChange={items.setPageSize} />
      </div>
      {items.loading ? (
        <Loading />
      ) : (
        <div className="table-wrap">
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
                <th scope="col">{historyTexts.status}</th>
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
        </div>
      )}
      <Pager page={items.page} pages={items.pages} onChange={items.setPage} label="履歴詳細のページ" />
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
