// アプリダウンロード依頼メール送信 (R9): choose up to 200 lines, narrowed by
// the date of the last request mail, confirm with the manual's dialog, and
// follow the sending live on 完了 (its own URL). Opened from 完了 of a
// permission change (?from=NUMBER), it starts with the lines just allowed
// already selected. 3G lines cannot be chosen
// (R16): their row says サービス対象外 where the last sent date would be.
import { type FormEvent, useState } from "react";
import { useMutation } from "urql";
import { Link, useLocation, useSearch } from "wouter";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { ActionBar } from "../components/ActionBar.tsx";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { CsvExport } from "../components/CsvExport.tsx";
import { CsvSelect } from "../components/CsvSelect.tsx";
import { Page } from "../components/Layout.tsx";
import { DeviceKindSelect } from "../components/LineFilters.tsx";
import { ListTable, SelectRow, SortHeader } from "../components/ListTable.tsx";
import { Loading } from "../components/Messages.tsx";
import { Pager } from "../components/Paging.tsx";
import { RosterRefresh } from "../components/RosterRefresh.tsx";
import { SelectedOnlyToggle } from "../components/SelectedOnly.tsx";
import { listTotal, SelectionBar, SelectionControls } from "../components/SelectionBar.tsx";
import { MailLinesQuery } from "../documents/mail.ts";
import { type MailLine, mailLine } from "../flow.tsx";
import { formatDateTime, jstDayEnd, jstDayStart, newIdempotencyKey } from "../format.ts";
import type { DeviceKind, LineFilter } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePreselection } from "../hooks/usePreselection.ts";
import { useSelectableList } from "../hooks/useSelectableList.ts";
import {
  commonTexts,
  csvExportTexts,
  findTexts,
  mailTexts,
  screenTexts,
  statusTexts,
  userErrorMessages,
} from "../texts.ts";
import { mailDonePath, rememberSkipped } from "./MailDone.tsx";

const SendAppDownloadMail = graphql(`
  mutation SendAppDownloadMail($input: SendMailInput!) {
    sendAppDownloadMail(input: $input) { ...MailRequestFields }
  }
`);

export function AppMail() {
  // Opened from 完了 of a permission change: its allowed lines, read from the receipt in the URL.
  const preselection = usePreselection();
  if (preselection.loading) {
    return (
      <Page title={mailTexts.appTitle} lead={mailTexts.appLead}>
        <Loading />
      </Page>
    );
  }
  return <AppMailLines initial={preselection.lines} />;
}

function AppMailLines({ initial }: { initial: Map<string, MailLine> }) {
  const [, navigate] = useLocation();
  const fromReceipt = new URLSearchParams(useSearch()).get("from");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [device, setDevice] = useState<DeviceKind | "">("");
  const [filter, setFilter] = useState<LineFilter>({ contractStatus: "ACTIVE" });
  const { selection, list, controls, rowProps, sortProps, selectedOnly, shown } = useSelectableList({
    query: MailLinesQuery,
    variables: { filter },
    connection: (data) => data.lines,
    initial,
    toChoice: (line) => mailLine(line),
  });
  const [confirming, setConfirming] = useState(false);
  const [sending, send] = useMutation(SendAppDownloadMail);
  const [idempotencyKey] = useState(newIdempotencyKey);

  function narrow(event: FormEvent) {
    event.preventDefault();
    setFilter({
      contractStatus: "ACTIVE",
      ...(device ? { deviceKinds: [device] } : {}),
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
    if (!payload)
      return selection.setErrors([result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt) return selection.setErrors(payload.userErrors);
    // 完了 by its receipt number (a reload shows it again); the password notice
    // that may follow starts with the lines of the permission change this came from.
    rememberSkipped(payload.receipt.number, payload.skipped);
    navigate(
      mailDonePath({ number: payload.receipt.number, kind: "APP_DOWNLOAD_MAIL" }, { from: fromReceipt }),
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
        <DeviceKindSelect value={device} onChange={setDevice} />
        <button type="submit">{mailTexts.narrow}</button>
        <button
          type="button"
          onClick={() => {
            setFrom("");
            setTo("");
            setDevice("");
            setFilter({ contractStatus: "ACTIVE" });
          }}
        >
          {commonTexts.unspecified}
        </button>
      </form>
      <RosterRefresh />
      <CsvSelect selection={selection} toChoice={({ line }) => mailLine(line)} />
      <SelectionControls {...controls} />
      <SelectedOnlyToggle {...selectedOnly} />
      <CsvExport what={csvExportTexts.lines} path="lines.csv" view="appMail" variables={shown} />
      <ListTable list={list} label={mailTexts.appTitle}>
        <thead>
          <tr>
            <th scope="col">{commonTexts.select}</th>
            <th scope="col">{commonTexts.no}</th>
            <SortHeader {...sortProps("GROUP_NAME")}>{commonTexts.group}</SortHeader>
            <SortHeader {...sortProps("PHONE_NUMBER")}>{commonTexts.phone}</SortHeader>
            <SortHeader {...sortProps("NAME")}>{commonTexts.name}</SortHeader>
            <SortHeader {...sortProps("LAST_APP_DOWNLOAD_MAIL_AT")}>{mailTexts.sentAt}</SortHeader>
            <SortHeader {...sortProps("DEVICE_KIND")}>{findTexts.device}</SortHeader>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((line, index) => (
            <SelectRow key={line.id} {...rowProps(line, index)} flagged={selection.flagged.has(line.id)}>
              <td>{line.group?.name ?? ""}</td>
              <td>{line.phoneNumber}</td>
              <td>{line.name}</td>
              <td>
                {isOutOfService(line.deviceKind)
                  ? statusTexts.outOfService
                  : formatDateTime(line.lastAppDownloadMailAt)}
              </td>
              <td>{findTexts.devices[line.deviceKind]}</td>
            </SelectRow>
          ))}
        </tbody>
      </ListTable>
      <SelectionBar selected={selection.selected.size} total={listTotal(list)} />
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="回線一覧のページ" />
      <ActionBar
        errors={selection.errors}
        notice={selection.limitError}
        flagged={[...selection.flagged].flatMap((id) => selection.selected.get(id) ?? [])}
        onDeselectFlagged={() => selection.deselectPage([...selection.flagged].map((id) => ({ id })))}
      >
        <Link href="/" className="button">
          {commonTexts.back}
        </Link>
        <button type="button" className="primary" disabled={sending.fetching} onClick={ask}>
          {mailTexts.send}
        </button>
      </ActionBar>
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
