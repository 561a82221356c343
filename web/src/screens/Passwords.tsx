// My SoftBankパスワード照会／通知 (R10): 照会 shows the passwords of the
// selected lines on this screen only (MAIN/SUB; the server audits it), and
// 通知メール送信 mails each line its password after the manual's dialog.
// 3G lines are shown as サービス対象外 and cannot be chosen (R16). Opened from
// 完了 of an app-download mail (?from=NUMBER), it starts with that receipt's
// lines selected (hooks/usePreselection.ts); 完了 has its own URL.
import { useEffect, useState } from "react";
import { useMutation } from "urql";
import { Link, useLocation } from "wouter";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { ActionBar } from "../components/ActionBar.tsx";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { CsvExport } from "../components/CsvExport.tsx";
import { CsvSelect } from "../components/CsvSelect.tsx";
import { Page } from "../components/Layout.tsx";
import { LineFilters } from "../components/LineFilters.tsx";
import { ListTable, SelectRow, SortHeader } from "../components/ListTable.tsx";
import { Loading } from "../components/Messages.tsx";
import { Pager } from "../components/Paging.tsx";
import { RosterRefresh } from "../components/RosterRefresh.tsx";
import { SelectedOnlyToggle } from "../components/SelectedOnly.tsx";
import { listTotal, SelectionBar, SelectionControls } from "../components/SelectionBar.tsx";
import { MailLinesQuery } from "../documents/mail.ts";
import { type MailLine, mailLine } from "../flow.tsx";
import { newIdempotencyKey } from "../format.ts";
import type { LineFilter } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePasswordInquiry } from "../hooks/usePasswordInquiry.ts";
import { usePreselection } from "../hooks/usePreselection.ts";
import { useSelectableList } from "../hooks/useSelectableList.ts";
import { useSession } from "../session.tsx";
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

const SendPasswordNotice = graphql(`
  mutation SendPasswordNotice($input: SendMailInput!) {
    sendPasswordNotice(input: $input) { ...MailRequestFields }
  }
`);

export function Passwords() {
  const preselection = usePreselection();
  if (preselection.loading) {
    return (
      <Page title={mailTexts.passwordTitle} lead={mailTexts.passwordLead}>
        <Loading />
      </Page>
    );
  }
  return <PasswordLines initial={preselection.lines} />;
}

function PasswordLines({ initial }: { initial: Map<string, MailLine> }) {
  const [, navigate] = useLocation();
  const session = useSession();
  // The filter as chosen: 契約状態 解約済 lists the cancelled lines (to see
  // them; selecting one is refused with R3's message, its row marked).
  const [filter, setFilter] = useState<LineFilter>({});
  const { selection, list, controls, rowProps, sortProps, selectedOnly, shown } = useSelectableList({
    query: MailLinesQuery,
    variables: { filter },
    connection: (data) => data.lines,
    initial,
    toChoice: (line) => mailLine(line),
  });
  const inquiry = usePasswordInquiry();
  const [confirming, setConfirming] = useState(false);
  const [sending, send] = useMutation(SendPasswordNotice);
  const [idempotencyKey] = useState(newIdempotencyKey);
  // Passwords shown stay on the screen that asked, and not under the sign-in
  // form of a session that ended (the screen is kept for its return).
  // biome-ignore lint/correctness/useExhaustiveDependencies: forget is a new function each render
  useEffect(() => {
    if (!session.viewer) inquiry.forget();
  }, [session.viewer]);

  async function runInquiry() {
    if (selection.selected.size === 0) return selection.setErrors([userErrorMessages.NO_LINES_SELECTED]);
    selection.setErrors(await inquiry.inquire([...selection.selected.keys()]));
  }

  function ask() {
    if (selection.selected.size === 0) return selection.setErrors([userErrorMessages.NO_LINES_SELECTED]);
    selection.setErrors([]);
    setConfirming(true);
  }

  async function confirm() {
    setConfirming(false);
    const result = await send({ input: { lineIds: [...selection.selected.keys()], idempotencyKey } });
    const payload = result.data?.sendPasswordNotice;
    if (!payload)
      return selection.setErrors([result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt) return selection.setErrors(payload.userErrors);
    inquiry.forget();
    rememberSkipped(payload.receipt.number, payload.skipped);
    navigate(mailDonePath({ number: payload.receipt.number, kind: "PASSWORD_NOTICE_MAIL" }));
  }

  return (
    <Page title={mailTexts.passwordTitle} lead={mailTexts.passwordLead}>
      <LineFilters onChange={setFilter} />
      <RosterRefresh />
      <CsvSelect selection={selection} toChoice={({ line }) => mailLine(line)} />
      <SelectionControls {...controls} />
      <SelectedOnlyToggle {...selectedOnly} />
      <CsvExport what={csvExportTexts.lines} path="lines.csv" view="passwords" variables={shown} />
      <ListTable list={list} label={mailTexts.passwordTitle}>
        <thead>
          <tr>
            <th scope="col">{commonTexts.select}</th>
            <th scope="col">{commonTexts.no}</th>
            <SortHeader {...sortProps("STATUS")} className="status-col">
              {commonTexts.status}
            </SortHeader>
            <SortHeader {...sortProps("GROUP_NAME")}>{commonTexts.group}</SortHeader>
            <SortHeader {...sortProps("PHONE_NUMBER")}>{commonTexts.phone}</SortHeader>
            <SortHeader {...sortProps("NAME")}>{commonTexts.name}</SortHeader>
            <SortHeader {...sortProps("NAME_KANA")}>{commonTexts.nameKana}</SortHeader>
            <SortHeader {...sortProps("AFFILIATION")}>{commonTexts.affiliation}</SortHeader>
            <SortHeader {...sortProps("DEVICE_KIND")}>{findTexts.device}</SortHeader>
            <th scope="col">{mailTexts.password}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((line, index) => (
            <SelectRow key={line.id} {...rowProps(line, index)} flagged={selection.flagged.has(line.id)}>
              <td className="status-col">
                {isOutOfService(line.deviceKind)
                  ? statusTexts.outOfService
                  : line.contractStatus === "CANCELLED"
                    ? statusTexts.contract.CANCELLED
                    : statusTexts.line[line.status]}
              </td>
              <td>{line.group?.name ?? ""}</td>
              <td>{line.phoneNumber}</td>
              <td>{line.name}</td>
              <td>{line.nameKana}</td>
              <td>{line.affiliation}</td>
              <td>{findTexts.devices[line.deviceKind]}</td>
              <td className="password">{inquiry.passwords.get(line.id) ?? ""}</td>
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
        {inquiry.canInquire && (
          <button type="button" disabled={inquiry.inquiring} onClick={runInquiry}>
            {mailTexts.inquire}
          </button>
        )}
        <button type="button" className="primary" disabled={sending.fetching} onClick={ask}>
          {mailTexts.notify}
        </button>
        <Link href="/" className="button">
          {commonTexts.back}
        </Link>
      </ActionBar>
      <ConfirmDialog
        open={confirming}
        message={screenTexts.PASSWORD_NOTICE_CONFIRM}
        count={selection.selected.size}
        onConfirm={confirm}
        onCancel={() => setConfirming(false)}
      />
    </Page>
  );
}
