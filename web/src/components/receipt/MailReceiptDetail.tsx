// 履歴詳細 of a mail receipt: the administrator picks lines and resends (R11)
// after the same dialog as the first send. A password notice's detail also
// shows the chosen lines' passwords on 照会 (R10).
import { useState } from "react";
import { useMutation } from "urql";
import { Link } from "wouter";
import { formatDateTime } from "../../format.ts";
import type { MailRequestFieldsFragment, ResendMailInput } from "../../gql/graphql.ts";
import { graphql } from "../../gql/index.ts";
import { usePasswordInquiry } from "../../hooks/usePasswordInquiry.ts";
import { useReceiptItems } from "../../hooks/useReceiptItems.ts";
import {
  commonTexts,
  csvExportTexts,
  historyTexts,
  mailTexts,
  screenTexts,
  userErrorMessages,
} from "../../texts.ts";
import { ConfirmDialog } from "../ConfirmDialog.tsx";
import { CsvExport } from "../CsvExport.tsx";
import { ErrorMessages, Loading } from "../Messages.tsx";
import { Pager, PageSizeSelect } from "../Paging.tsx";
import { TableRegion } from "../TableRegion.tsx";
import { ItemFilters } from "./ItemFilters.tsx";
import { ReceiptLineage, useReceiptLineage } from "./ReceiptLineage.tsx";
import { ItemStatusCell, type ReceiptHeader, ReceiptPage } from "./ReceiptPage.tsx";

const ResendAppDownloadMail = graphql(`
  mutation ResendAppDownloadMail($input: ResendMailInput!) {
    resendAppDownloadMail(input: $input) { ...MailRequestFields }
  }
`);

const ResendPasswordNotice = graphql(`
  mutation ResendPasswordNotice($input: ResendMailInput!) {
    resendPasswordNotice(input: $input) { ...MailRequestFields }
  }
`);

interface MailDetailProps {
  receipt: ReceiptHeader;
  /** The resend was accepted: its receipt. */
  onSent: (sent: MailRequestFieldsFragment) => void;
}

export function AppDownloadMailDetail({ receipt, onSent }: MailDetailProps) {
  const [, resend] = useMutation(ResendAppDownloadMail);
  return (
    <MailItems
      receipt={receipt}
      back="/history"
      confirmMessage={screenTexts.APP_DOWNLOAD_MAIL_CONFIRM}
      resend={async (input) => (await resend({ input })).data?.resendAppDownloadMail}
      onSent={onSent}
    />
  );
}

export function PasswordNoticeDetail({ receipt, onSent }: MailDetailProps) {
  const [, resend] = useMutation(ResendPasswordNotice);
  const inquiry = usePasswordInquiry();
  return (
    <MailItems
      receipt={receipt}
      back="/history/password-mails"
      confirmMessage={screenTexts.PASSWORD_NOTICE_CONFIRM}
      resend={async (input) => (await resend({ input })).data?.resendPasswordNotice}
      passwords={{ shown: inquiry.passwords, inquire: inquiry.canInquire ? inquiry.inquire : undefined }}
      onSent={onSent}
    />
  );
}

function MailItems({
  receipt,
  back,
  confirmMessage,
  resend,
  passwords,
  onSent,
}: MailDetailProps & {
  back: string;
  confirmMessage: string;
  resend: (input: ResendMailInput) => Promise<MailRequestFieldsFragment | undefined>;
  /** A password notice's: the passwords shown, and 照会 where the administrator may use it. */
  passwords?: {
    shown: ReadonlyMap<string, string>;
    inquire: ((lineIds: string[]) => Promise<string[]>) | undefined;
  };
}) {
  const items = useReceiptItems(receipt.number);
  const lineage = useReceiptLineage(receipt);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);

  function toggle(id: string, on: boolean) {
    setChecked((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  function ask() {
    if (checked.size === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    setErrors([]);
    setConfirming(true);
  }

  async function confirm() {
    setConfirming(false);
    const payload = await resend({ receiptId: receipt.id, itemIds: [...checked] });
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt)
      return setErrors(payload.userErrors.map((e) => e.message));
    onSent(payload);
  }

  async function reveal(inquire: (lineIds: string[]) => Promise<string[]>) {
    const lineIds = items.rows.filter((i) => checked.has(i.id) && i.line).map((i) => i.line?.id as string);
    if (lineIds.length === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    setErrors(await inquire(lineIds));
  }

  const inquire = passwords?.inquire;
  return (
    <ReceiptPage receipt={receipt}>
      <ReceiptLineage kind={receipt.kind} lineage={lineage} />
      <ErrorMessages errors={errors} />
      <ItemFilters onChange={items.setFilter} empty={items.rows.length === 0 && !items.loadingPage} />
      <CsvExport
        what={csvExportTexts.detail}
        path={`receipts/${receipt.number}/items.csv`}
        variables={{ filter: items.filter }}
      />
      <div className="selection-bar">
        <output className="counter">{commonTexts.selectionCounter(checked.size, items.totalCount)}</output>
        <button
          type="button"
          onClick={() => setChecked(new Set([...checked, ...items.rows.map((i) => i.id)]))}
        >
          {commonTexts.selectAllInPage}
        </button>
        <button
          type="button"
          onClick={() =>
            setChecked(new Set([...checked].filter((id) => !items.rows.some((i) => i.id === id))))
          }
        >
          {commonTexts.deselectAllInPage}
        </button>
        <PageSizeSelect value={items.pageSize} onChange={items.setPageSize} />
      </div>
      {items.loading ? (
        <Loading />
      ) : (
        <TableRegion label={historyTexts.detailTitle}>
          <table aria-label={historyTexts.detailTitle}>
            <thead>
              <tr>
                <th scope="col">{commonTexts.select}</th>
                <th scope="col">{commonTexts.no}</th>
                <th scope="col">{commonTexts.group}</th>
                <th scope="col">{commonTexts.phone}</th>
                <th scope="col">{commonTexts.name}</th>
                {passwords && <th scope="col">{mailTexts.password}</th>}
                <th scope="col">{historyTexts.receivedAt}</th>
                <th scope="col" className="status-col">
                  {historyTexts.status}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.rows.map((item, index) => (
                <tr key={item.id} data-status={item.status}>
                  <td>
                    <input
                      type="checkbox"
                      checked={checked.has(item.id)}
                      onChange={(e) => toggle(item.id, e.target.checked)}
                      aria-label={`${item.phoneNumber}を選択`}
                    />
                  </td>
                  <td>{items.rowNumber(index)}</td>
                  <td>{item.groupName ?? ""}</td>
                  <td>{item.phoneNumber}</td>
                  <td>{item.name}</td>
                  {passwords && (
                    <td className="password">{(item.line && passwords.shown.get(item.line.id)) ?? "●●●●"}</td>
                  )}
                  <td>{formatDateTime(receipt.receivedAt)}</td>
                  <ItemStatusCell item={item} />
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <Pager page={items.page} pages={items.pages} onChange={items.setPage} label="履歴詳細のページ" />
      <div className="actions">
        <Link href={back} className="button">
          {commonTexts.back}
        </Link>
        {inquire && (
          <button type="button" onClick={() => reveal(inquire)}>
            {mailTexts.inquire}
          </button>
        )}
        <button type="button" className="primary" onClick={ask}>
          {mailTexts.resend}
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        message={confirmMessage}
        count={checked.size}
        onConfirm={confirm}
        onCancel={() => setConfirming(false)}
      />
    </ReceiptPage>
  );
}
