// 履歴詳細: one receipt line by line. Permission changes show the targets
// (ON/OFF) and each line's status; mail receipts let the administrator pick
// lines and resend (R11), with the same dialog as the first send. Items
// update live while the receipt is processing.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { Link, useParams } from "wouter";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { Page } from "../components/Layout.tsx";
import { LiveProgress, WaitingNote } from "../components/LiveProgress.tsx";
import { MailSent } from "../components/MailSent.tsx";
import { ErrorMessages, Loading, RequestError } from "../components/Messages.tsx";
import { Pager, PageSizeSelect } from "../components/Paging.tsx";
import { formatDateTime } from "../format.ts";
import type { ResendAppDownloadMailMutation } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { useSession } from "../session.tsx";
import {
  commonTexts,
  historyTexts,
  mailTexts,
  permissionTexts,
  screenTexts,
  statusTexts,
  userErrorMessages,
} from "../texts.ts";
import { InquirePasswords } from "./Passwords.tsx";

const ReceiptHeaderQuery = graphql(`
  query ReceiptHeader($number: String!) {
    receipt(number: $number) {
      id number kind status receivedAt completedAt waitingFor retryAt
      admin { name loginId }
      progress { total pending processing succeeded failed }
    }
  }
`);

const ReceiptItemsQuery = graphql(`
  query ReceiptItems($number: String!, $first: Int, $after: String) {
    receipt(number: $number) {
      id
      items(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
        edges {
          cursor
          node {
            id phoneNumber name groupName backup phonebookMigration status completedAt waitingFor retryAt
            error { code message }
            line { id }
          }
        }
      }
    }
  }
`);

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

type Sent = ResendAppDownloadMailMutation["resendAppDownloadMail"];

export function HistoryDetail() {
  const { number = "" } = useParams<{ number: string }>();
  const session = useSession();
  const [{ data, fetching, error }] = useQuery({ query: ReceiptHeaderQuery, variables: { number } });
  const [pageSize, setPageSize] = useState(20);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [passwords, setPasswords] = useState<Map<string, string>>(new Map());
  const [sent, setSent] = useState<Sent | null>(null);
  const [, resendApp] = useMutation(ResendAppDownloadMail);
  const [, resendPassword] = useMutation(ResendPasswordNotice);
  const [, inquire] = useMutation(InquirePasswords);
  const receipt = data?.receipt;
  const items = usePagedConnection({
    query: ReceiptItemsQuery,
    variables: { number },
    pageSize,
    connection: (d) => d.receipt?.items,
    pause: !receipt,
  });

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

  const isMail = receipt.kind !== "PERMISSION_CHANGE";
  const isPassword = receipt.kind === "PASSWORD_NOTICE_MAIL";
  const canInquire = session.viewer?.scopes.includes("READ_PASSWORDS") ?? false;

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

  async function resend() {
    setConfirming(false);
    if (!receipt) return;
    const input = { receiptId: receipt.id, itemIds: [...checked] };
    const result = isPassword ? await resendPassword({ input }) : await resendApp({ input });
    const payload =
      result.data &&
      ("resendPasswordNotice" in result.data
        ? result.data.resendPasswordNotice
        : result.data.resendAppDownloadMail);
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt)
      return setErrors(payload.userErrors.map((e) => e.message));
    setSent(payload as Sent);
  }

  async function reveal() {
    const lineIds = items.rows.filter((i) => checked.has(i.id) && i.line).map((i) => i.line?.id as string);
    if (lineIds.length === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    const result = await inquire({ input: { lineIds } });
    const payload = result.data?.inquirePasswords;
    if (!payload) return setErrors([result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError]);
    setErrors(payload.userErrors.map((e) => e.message));
    setPasswords(new Map(payload.passwords.map((p) => [p.line.id, p.password])));
  }

  const kindLabel = isPassword ? historyTexts.passwordMenu : statusTexts.kind[receipt.kind];
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
      <ErrorMessages errors={errors} />
      <div className="selection-bar">
        <output className="counter">
          {isMail
            ? commonTexts.selectionCounter(checked.size, items.totalCount)
            : `対象回線選択: ${items.totalCount}件`}
        </output>
        {isMail && (
          <>
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
          </>
        )}
        <PageSizeSelect value={pageSize} onChange={setPageSize} />
      </div>
      {items.loading ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table aria-label={historyTexts.detailTitle}>
            <thead>
              <tr>
                {isMail && <th scope="col">{commonTexts.select}</th>}
                <th scope="col">{commonTexts.no}</th>
                <th scope="col">{commonTexts.group}</th>
                <th scope="col">{commonTexts.phone}</th>
                <th scope="col">{commonTexts.name}</th>
                {isPassword && <th scope="col">{mailTexts.password}</th>}
                <th scope="col">{isMail ? historyTexts.receivedAt : historyTexts.completedAt}</th>
                {!isMail && <th scope="col">{commonTexts.backup}</th>}
                {!isMail && <th scope="col">{commonTexts.migration}</th>}
                <th scope="col">{historyTexts.status}</th>
              </tr>
            </thead>
            <tbody>
              {items.rows.map((item, index) => (
                <tr key={item.id} data-status={item.status}>
                  {isMail && (
                    <td>
                      <input
                        type="checkbox"
                        checked={checked.has(item.id)}
                        onChange={(e) => toggle(item.id, e.target.checked)}
                        aria-label={`${item.phoneNumber}を選択`}
                      />
                    </td>
                  )}
                  <td>{items.page * pageSize + index + 1}</td>
                  <td>{item.groupName ?? ""}</td>
                  <td>{item.phoneNumber}</td>
                  <td>{item.name}</td>
                  {isPassword && (
                    <td className="password">{(item.line && passwords.get(item.line.id)) ?? "●●●●"}</td>
                  )}
                  <td>{formatDateTime(isMail ? receipt.receivedAt : item.completedAt)}</td>
                  {!isMail && <td>{item.backup ? commonTexts.on : commonTexts.off}</td>}
                  {!isMail && <td>{item.phonebookMigration ? commonTexts.on : commonTexts.off}</td>}
                  <td>
                    {statusTexts.item[item.status]}
                    {item.error && <span className="item-error">（{item.error.message}）</span>}
                    {item.status === "PROCESSING" && (
                      <WaitingNote waitingFor={item.waitingFor} retryAt={item.retryAt} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={items.page} pages={items.pages} onChange={items.setPage} label="履歴詳細のページ" />
      <div className="actions">
        <Link href={isPassword ? "/history/password-mails" : "/history"} className="button">
          {commonTexts.back}
        </Link>
        {!isMail && (
          <Link href="/permissions" className="button">
            {permissionTexts.title}
          </Link>
        )}
        {isPassword && canInquire && (
          <button type="button" onClick={reveal}>
            {mailTexts.inquire}
          </button>
        )}
        {isMail && (
          <button type="button" className="primary" onClick={ask}>
            {mailTexts.resend}
          </button>
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        message={isPassword ? screenTexts.PASSWORD_NOTICE_CONFIRM : screenTexts.APP_DOWNLOAD_MAIL_CONFIRM}
        count={checked.size}
        onConfirm={resend}
        onCancel={() => setConfirming(false)}
      />
    </Page>
  );
}
