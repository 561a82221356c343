// アプリダウンロード依頼メール送信 (R9): choose up to 200 lines, narrowed by
// the date of the last request mail, confirm with the manual's dialog, and
// follow the sending live. Opened from 完了 of a permission change, it starts
// with the lines just allowed already selected. 3G lines cannot be chosen
// (R16): their row says サービス対象外 where the last sent date would be.
import { type FormEvent, useEffect, useState } from "react";
import { useMutation } from "urql";
import { Link, useSearch } from "wouter";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { Page } from "../components/Layout.tsx";
import { ListTable, SelectRow } from "../components/ListTable.tsx";
import { MailSent } from "../components/MailSent.tsx";
import { Pager } from "../components/Paging.tsx";
import { SelectionBar, SelectionControls } from "../components/SelectionBar.tsx";
import { type MailLine, useFlow } from "../flow.tsx";
import { formatDateTime, jstDayEnd, jstDayStart, newIdempotencyKey } from "../format.ts";
import type { LineFilter, SendAppDownloadMailMutation } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { useSelection } from "../hooks/useSelection.ts";
import { commonTexts, mailTexts, screenTexts, statusTexts, userErrorMessages } from "../texts.ts";

export const MailLinesQuery = graphql(`
  query MailLines($first: Int, $after: String, $filter: LineFilter) {
    lines(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id phoneNumber name nameKana affiliation status contractStatus deviceKind lastAppDownloadMailAt
          group { id name }
        }
      }
    }
  }
`);

export const MailRequestFields = graphql(`
  fragment MailRequestFields on MailRequestPayload {
    receipt { id number status progress { total pending processing succeeded failed } }
    skipped { code reason line { id phoneNumber name } }
    userErrors { code message lineIds }
  }
`);

const SendAppDownloadMail = graphql(`
  mutation SendAppDownloadMail($input: SendMailInput!) {
    sendAppDownloadMail(input: $input) { ...MailRequestFields }
  }
`);

export function mailLine(line: {
  id: string;
  phoneNumber: string;
  name: string;
  group?: { name: string } | null;
}): MailLine {
  return { id: line.id, phoneNumber: line.phoneNumber, name: line.name, groupName: line.group?.name ?? null };
}

export function AppMail() {
  const flow = useFlow();
  const search = useSearch();
  const [pageSize, setPageSize] = useState(50);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [filter, setFilter] = useState<LineFilter>({ contractStatus: "ACTIVE" });
  const selection = useSelection<MailLine>(
    new URLSearchParams(search).has("preselected") ? flow.preselected : new Map(),
  );
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  // A message answers the selection it was about: a new selection clears it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on selection changes only
  useEffect(() => setErrors([]), [selection.selected]);
  const [sent, setSent] = useState<SendAppDownloadMailMutation["sendAppDownloadMail"] | null>(null);
  const [sending, send] = useMutation(SendAppDownloadMail);
  const [idempotencyKey] = useState(newIdempotencyKey);

  const list = usePagedConnection({
    query: MailLinesQuery,
    variables: { filter },
    pageSize,
    connection: (data) => data.lines,
  });

  function narrow(event: FormEvent) {
    event.preventDefault();
    setFilter({
      contractStatus: "ACTIVE",
      ...(from ? { lastAppDownloadMailFrom: jstDayStart(from) } : {}),
      ...(to ? { lastAppDownloadMailTo: jstDayEnd(to) } : {}),
    });
  }

  function ask() {
    if (selection.selected.size === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    setErrors([]);
    setConfirming(true);
  }

  async function confirm() {
    setConfirming(false);
    const result = await send({ input: { lineIds: [...selection.selected.keys()], idempotencyKey } });
    const payload = result.data?.sendAppDownloadMail;
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt)
      return setErrors(payload.userErrors.map((e) => e.message));
    // The password notice that may follow starts with the same lines.
    flow.setPreselected(new Map(selection.selected));
    setSent(payload);
  }

  if (sent?.receipt) {
    return (
      <MailSent
        title={mailTexts.appTitle}
        lead={mailTexts.appDoneLead}
        receipt={sent.receipt}
        skipped={sent.skipped}
        next={{ href: "/passwords?preselected=1", label: mailTexts.toPasswordNotice }}
      />
    );
  }

  return (
    <Page title={mailTexts.appTitle} lead={mailTexts.appLead}>
      <form className="filters" onSubmit={narrow} aria-label={mailTexts.sentAt}>
        <span>{mailTexts.sentAt}</span>
        <input
          type="date"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          aria-label={`${mailTexts.sentAt} ${mailTexts.from}`}
        />
        <span>{mailTexts.from}</span>
        <input
          type="date"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-label={`${mailTexts.sentAt} ${mailTexts.to}`}
        />
        <span>{mailTexts.to}</span>
        <button type="submit">{mailTexts.narrow}</button>
        <button
          type="button"
          onClick={() => {
            setFrom("");
            setTo("");
            setFilter({ contractStatus: "ACTIVE" });
          }}
        >
          {commonTexts.unspecified}
        </button>
      </form>
      <SelectionControls
        selection={selection}
        list={list}
        errors={errors}
        toChoice={mailLine}
        selectable={(line) => !isOutOfService(line.deviceKind)}
        pageSize={pageSize}
        onPageSize={setPageSize}
      />
      <ListTable list={list} label={mailTexts.appTitle}>
        <thead>
          <tr>
            <th scope="col">{commonTexts.select}</th>
            <th scope="col">{commonTexts.no}</th>
            <th scope="col">{commonTexts.group}</th>
            <th scope="col">{commonTexts.phone}</th>
            <th scope="col">{commonTexts.name}</th>
            <th scope="col">{mailTexts.sentAt}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((line, index) => (
            <SelectRow
              key={line.id}
              phoneNumber={line.phoneNumber}
              number={list.page * pageSize + index + 1}
              checked={selection.selected.has(line.id)}
              disabled={isOutOfService(line.deviceKind)}
              onChange={(checked) => selection.toggle(mailLine(line), checked)}
            >
              <td>{line.group?.name ?? ""}</td>
              <td>{line.phoneNumber}</td>
              <td>{line.name}</td>
              <td>
                {isOutOfService(line.deviceKind)
                  ? statusTexts.outOfService
                  : formatDateTime(line.lastAppDownloadMailAt)}
              </td>
            </SelectRow>
          ))}
        </tbody>
      </ListTable>
      <SelectionBar selected={selection.selected.size} total={list.totalCount} />
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="回線一覧のページ" />
      <div className="actions">
        <Link href="/" className="button">
          {commonTexts.back}
        </Link>
        <button type="button" className="primary" disabled={sending.fetching} onClick={ask}>
          {mailTexts.send}
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        message={screenTexts.APP_DOWNLOAD_MAIL_CONFIRM}
        count={selection.selected.size}
        onConfirm={confirm}
        onCancel={() => setConfirming(false)}
      />
    </Page>
  );
}
