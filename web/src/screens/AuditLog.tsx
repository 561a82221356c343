// 監査ログ (MAIN administrators): the audit log newest first, narrowed by
// period, action, administrator (or API token) and phone number, paged like
// the other lists, with CSV出力 of what the filter shows.
import { type FormEvent, useState } from "react";
import { useQuery } from "urql";
import { Link } from "wouter";
import { CsvExport } from "../components/CsvExport.tsx";
import { Page } from "../components/Layout.tsx";
import { ListTable } from "../components/ListTable.tsx";
import { RequestError } from "../components/Messages.tsx";
import { Pager, PageSizeSelect } from "../components/Paging.tsx";
import { formatDateTime, jstDayEnd, jstDayStart } from "../format.ts";
import type { AuditAction, AuditEventFilter } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { auditLogTexts, commonTexts } from "../texts.ts";

const AuditEventsQuery = graphql(`
  query AuditEvents($first: Int, $after: String, $last: Int, $before: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id action at ipAddress lineCount
          actor { kind id name loginId }
          lines { id phoneNumber }
          receipt { id number }
        }
      }
    }
  }
`);

const AuditActorsQuery = graphql(`
  query AuditActors {
    auditActors { kind id name loginId }
  }
`);

/** Phone numbers shown in a row; the rest are counted. */
const SHOWN_PHONES = 3;

export function AuditLog() {
  const [pageSize, setPageSize] = useState(20);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [action, setAction] = useState<AuditAction | "">("");
  const [actor, setActor] = useState("");
  const [phone, setPhone] = useState("");
  const [filter, setFilter] = useState<AuditEventFilter>({});
  const [actors] = useQuery({ query: AuditActorsQuery });
  const list = usePagedConnection({
    query: AuditEventsQuery,
    variables: { filter },
    pageSize,
    connection: (data) => data.auditEvents,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilter({
      ...(from ? { from: jstDayStart(from) } : {}),
      ...(to ? { to: jstDayEnd(to) } : {}),
      ...(action ? { action } : {}),
      ...(actor ? { actor } : {}),
      ...(phone.trim() ? { phoneNumber: phone.trim() } : {}),
    });
  }

  function clear() {
    setFrom("");
    setTo("");
    setAction("");
    setActor("");
    setPhone("");
    setFilter({});
  }

  return (
    <Page title={auditLogTexts.title} lead={[...auditLogTexts.lead]}>
      <form className="filters" onSubmit={apply}>
        <input
          type="date"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          aria-label={auditLogTexts.from}
        />
        <span>〜</span>
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} aria-label={auditLogTexts.to} />
        <select
          value={action}
          onChange={(e) => setAction(e.target.value as AuditAction | "")}
          aria-label={auditLogTexts.action}
        >
          <option value="">
            {auditLogTexts.action}: {commonTexts.unspecified}
          </option>
          {(Object.keys(auditLogTexts.actions) as AuditAction[]).map((a) => (
            <option key={a} value={a}>
              {auditLogTexts.actions[a]}
            </option>
          ))}
        </select>
        <select value={actor} onChange={(e) => setActor(e.target.value)} aria-label={auditLogTexts.actor}>
          <option value="">
            {auditLogTexts.actor}: {commonTexts.unspecified}
          </option>
          {(actors.data?.auditActors ?? []).flatMap((a) =>
            a.id
              ? [
                  <option key={a.id} value={a.id}>
                    {a.kind === "API_TOKEN" ? auditLogTexts.tokenActor(a.name) : `${a.name} (${a.loginId})`}
                  </option>,
                ]
              : [],
          )}
        </select>
        <input
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          placeholder={auditLogTexts.phone}
          aria-label={auditLogTexts.phone}
          inputMode="tel"
        />
        <button type="submit">{commonTexts.search}</button>
        <button type="button" onClick={clear}>
          {commonTexts.clear}
        </button>
      </form>
      <div className="selection-bar">
        <output className="counter">{auditLogTexts.count(list.totalCount)}</output>
        <PageSizeSelect value={pageSize} onChange={setPageSize} />
      </div>
      <CsvExport what={auditLogTexts.csv} path="audit.csv" variables={{ filter }} />
      <RequestError error={list.error} />
      <ListTable list={list} label={auditLogTexts.title} empty={auditLogTexts.empty}>
        <thead>
          <tr>
            <th scope="col">{auditLogTexts.at}</th>
            <th scope="col">{auditLogTexts.action}</th>
            <th scope="col">{auditLogTexts.actorName}</th>
            <th scope="col">{auditLogTexts.actorId}</th>
            <th scope="col">{auditLogTexts.ip}</th>
            <th scope="col">{auditLogTexts.lines}</th>
            <th scope="col">{auditLogTexts.receipt}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((e) => (
            <tr key={e.id}>
              <td>{formatDateTime(e.at)}</td>
              <td>{auditLogTexts.actions[e.action]}</td>
              <td>{e.actor.kind === "API_TOKEN" ? auditLogTexts.tokenActor(e.actor.name) : e.actor.name}</td>
              <td>{e.actor.loginId ?? ""}</td>
              <td>{e.ipAddress ?? ""}</td>
              <td>
                {e.lineCount > 0 && (
                  <>
                    {auditLogTexts.linesCount(e.lineCount)}
                    {e.lines.length > 0 && " "}
                    {e.lines
                      .slice(0, SHOWN_PHONES)
                      .map((l) => l.phoneNumber)
                      .join(", ")}
                    {e.lines.length > SHOWN_PHONES && " …"}
                  </>
                )}
              </td>
              <td>
                {e.receipt ? <Link href={`/history/${e.receipt.number}`}>{e.receipt.number}</Link> : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label={auditLogTexts.pages} />
      <div className="actions">
        <Link href="/" className="button">
          {commonTexts.back}
        </Link>
      </div>
    </Page>
  );
}
