// 履歴一覧: receipts newest first, narrowed by menu, status, number and day;
// the password-mail history is the same list for that one menu. Receipts
// still processing show their live progress.
import { type FormEvent, useState } from "react";
import { Link } from "wouter";
import { CsvExport } from "../components/CsvExport.tsx";
import { Page } from "../components/Layout.tsx";
import { ListTable } from "../components/ListTable.tsx";
import { LiveProgress } from "../components/LiveProgress.tsx";
import { RequestError } from "../components/Messages.tsx";
import { Pager, PageSizeSelect } from "../components/Paging.tsx";
import { formatDateTime, jstDayEnd, jstDayStart } from "../format.ts";
import type { ReceiptFilter, ReceiptKind, ReceiptStatus } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { commonTexts, csvExportTexts, historyTexts, statusTexts } from "../texts.ts";

const ReceiptsQuery = graphql(`
  query Receipts($first: Int, $after: String, $last: Int, $before: String, $filter: ReceiptFilter) {
    receipts(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id number kind status receivedAt completedAt
          admin { name loginId }
          progress { total pending processing succeeded failed }
        }
      }
    }
  }
`);

export function History({ passwordMails = false }: { passwordMails?: boolean }) {
  const [pageSize, setPageSize] = useState(20);
  const [kind, setKind] = useState<ReceiptKind | "">("");
  const [status, setStatus] = useState<ReceiptStatus | "">("");
  const [number, setNumber] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [filter, setFilter] = useState<ReceiptFilter>({});
  const effective: ReceiptFilter = passwordMails ? { ...filter, kind: "PASSWORD_NOTICE_MAIL" } : filter;
  const list = usePagedConnection({
    query: ReceiptsQuery,
    variables: { filter: effective },
    pageSize,
    connection: (data) => data.receipts,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilter({
      ...(kind ? { kind } : {}),
      ...(status ? { status } : {}),
      ...(number.trim() ? { number: number.trim() } : {}),
      ...(from ? { receivedFrom: jstDayStart(from) } : {}),
      ...(to ? { receivedTo: jstDayEnd(to) } : {}),
    });
  }

  function clear() {
    setKind("");
    setStatus("");
    setNumber("");
    setFrom("");
    setTo("");
    setFilter({});
  }

  return (
    <Page
      title={passwordMails ? historyTexts.passwordTitle : historyTexts.title}
      lead={passwordMails ? [historyTexts.passwordLead, historyTexts.lead[1]] : historyTexts.lead}
    >
      <form className="filters" onSubmit={apply}>
        {!passwordMails && (
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as ReceiptKind | "")}
            aria-label={historyTexts.menu}
          >
            <option value="">
              {historyTexts.menu}: {commonTexts.unspecified}
            </option>
            {(Object.keys(statusTexts.kind) as ReceiptKind[]).map((k) => (
              <option key={k} value={k}>
                {statusTexts.kind[k]}
              </option>
            ))}
          </select>
        )}
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value as ReceiptStatus | "")}
          aria-label={historyTexts.status}
        >
          <option value="">
            {historyTexts.status}: {commonTexts.unspecified}
          </option>
          {(Object.keys(statusTexts.receipt) as ReceiptStatus[]).map((s) => (
            <option key={s} value={s}>
              {statusTexts.receipt[s]}
            </option>
          ))}
        </select>
        <input
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          placeholder={historyTexts.number}
          aria-label={historyTexts.number}
          inputMode="numeric"
        />
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} aria-label="受付日 から" />
        <span>〜</span>
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} aria-label="受付日 まで" />
        <button type="submit">{commonTexts.search}</button>
        <button type="button" onClick={clear}>
          {commonTexts.clear}
        </button>
      </form>
      <div className="selection-bar">
        <output className="counter">{historyTexts.count(list.totalCount)}</output>
        <PageSizeSelect value={pageSize} onChange={setPageSize} />
      </div>
      <CsvExport
        what={csvExportTexts.history}
        path="receipts.csv"
        view={passwordMails ? "passwordMails" : "history"}
        variables={{ filter: effective }}
      />
      {passwordMails ? (
        <p className="note">{historyTexts.passwordNote}</p>
      ) : (
        <>
          <p>
            <Link href="/history/password-mails">{historyTexts.passwordLink}</Link>
          </p>
          {historyTexts.notes.map((line) => (
            <p key={line} className="note">
              {line}
            </p>
          ))}
        </>
      )}
      <RequestError error={list.error} />
      <ListTable list={list} label={historyTexts.title} empty={commonTexts.emptyReceipts}>
        <thead>
          <tr>
            <th scope="col">{historyTexts.number}</th>
            <th scope="col">{historyTexts.adminName}</th>
            <th scope="col">{historyTexts.adminId}</th>
            <th scope="col">{historyTexts.receivedAt}</th>
            {!passwordMails && <th scope="col">{historyTexts.completedAt}</th>}
            <th scope="col">{historyTexts.menu}</th>
            <th scope="col" className="status-col">
              {historyTexts.status}
            </th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((r) => (
            <tr key={r.id}>
              <td>
                <Link href={`/history/${r.number}`}>{r.number}</Link>
              </td>
              <td>{r.admin.name}</td>
              <td>{r.admin.loginId}</td>
              <td>{formatDateTime(r.receivedAt)}</td>
              {!passwordMails && <td>{formatDateTime(r.completedAt)}</td>}
              <td>{passwordMails ? historyTexts.passwordMenu : statusTexts.kind[r.kind]}</td>
              <td className="status-cell">
                {r.status === "PROCESSING" ? (
                  <LiveProgress receiptId={r.id} initial={{ status: r.status, progress: r.progress }} />
                ) : (
                  statusTexts.receipt[r.status]
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="履歴のページ" />
      <div className="actions">
        <Link href={passwordMails ? "/history" : "/"} className="button">
          {commonTexts.back}
        </Link>
      </div>
    </Page>
  );
}
