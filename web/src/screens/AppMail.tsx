// アプリダウンロード依頼メール送信 (R9): choose up to 200 lines, narrowed by
// the date of the last request mail, confirm with the manual's dialog, and
// follow the sending live. Opened from 完了 of a permission change, it starts
// with the lines just allowed already selected. 3G lines cannot be chosen
// (R16): their row says サービス対象外 where the last sent date would be.
import { type FormEvent, useState } from "react";
import { useMutation } from "urql";
import { Link, useSearch } from "wouter";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { Page } from "../components/Layout.tsx";
import { ListTable, SelectRow } from "../components/ListTable.tsx";
import { MailSent } from "../components/MailSent.tsx";
import { Pager } from "../components/Paging.tsx";
import { SelectionBar, SelectionControls } from "../components/SelectionBar.tsx";
import { MailLinesQuery } from "../documents/mail.ts";
import { type MailLine, mailLine, useFlow } from "../flow.tsx";
import { formatDateTime, jstDayEnd, jstDayStart, newIdempotencyKey } from "../format.ts";
import type { LineFilter, MailRequestFieldsFragment } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useSelectableList } from "../hooks/useSelectableList.ts";
import { commonTexts, mailTexts, screenTexts, statusTexts, userErrorMessages } from "../texts.ts";

const SendAppDownloadMail = graphql(`
  mutation SendAppDownloadMail($input: SendMailInput!) {
    sendAppDownloadMail(input: $input) { ...MailRequestFields }
  }
`);

export function AppMail() {
  const flow = useFlow();
  const search = useSearch();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [filter, setFilter] = useState<LineFilter>({ contractStatus: "ACTIVE" });
  const { selection, list, controls, rowProps } = useSelectableList({
    query: MailLinesQuery,
    variables: { filter },
    connection: (data) => data.lines,
    initial: new URLSearchParams(search).has("preselected") ? flow.preselected : new Map<string, MailLine>(),
    toChoice: (line) => mailLine(line),
  });
  const [confirming, setConfirming] = useState(false);
  const [sent, setSent] = useState<MailRequestFieldsFragment | null>(null);
  const [sending, send] = useMutation(SendAppDownloadMail);
  const [idempotencyKey] = useState(newIdempotencyKey);

  function narrow(event: FormEvent) {
    event.preventDefault();
    setFilter({
      contractStatus: "ACTIVE",
      ...(from ? { lastAppDownloadMailFrom: jstDayStart(from) } : {}),
      ...(to ? { lastAppDownloadMailTo: jstDayEnd(to) } : {}),
    });
  }

  function ask() {
    if (selection.selected.size === 0) return selection.setErrors([userErrorMessages.NO_LINES_SELECTED]);
    selection.setErrors([]);
    setConfirming(true);
  }

  async function confirm() {
    setConfirming(false);
    const result = await send({ input: { lineIds: [...selection.selected.keys()], idempotencyKey } });
    const payload = result.data?.sendAppDownloadMail;
    if (!payload) return selection.setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt)
      return selection.setErrors(payload.userErrors.map((e) => e.message));
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
      <SelectionControls {...controls} />
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
            <SelectRow key={line.id} {...rowProps(line, index)}>
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
