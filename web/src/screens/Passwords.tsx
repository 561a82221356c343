// My SoftBankパスワード照会／通知 (R10): 照会 shows the passwords of the
// selected lines on this screen only (MAIN/SUB; the server audits it), and
// 通知メール送信 mails each line its password after the manual's dialog.
// 3G lines are shown as サービス対象外 and cannot be chosen (R16).
import { useState } from "react";
import { useMutation } from "urql";
import { Link, useSearch } from "wouter";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { Page } from "../components/Layout.tsx";
import { LineFilters } from "../components/LineFilters.tsx";
import { ListTable, SelectRow } from "../components/ListTable.tsx";
import { MailSent } from "../components/MailSent.tsx";
import { Pager } from "../components/Paging.tsx";
import { SelectionBar, SelectionControls } from "../components/SelectionBar.tsx";
import { MailLinesQuery } from "../documents/mail.ts";
import { type MailLine, mailLine, useFlow } from "../flow.tsx";
import { newIdempotencyKey } from "../format.ts";
import type { LineFilter, MailRequestFieldsFragment } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePasswordInquiry } from "../hooks/usePasswordInquiry.ts";
import { useSelectableList } from "../hooks/useSelectableList.ts";
import { commonTexts, mailTexts, screenTexts, statusTexts, userErrorMessages } from "../texts.ts";

const SendPasswordNotice = graphql(`
  mutation SendPasswordNotice($input: SendMailInput!) {
    sendPasswordNotice(input: $input) { ...MailRequestFields }
  }
`);

export function Passwords() {
  const flow = useFlow();
  const search = useSearch();
  const [filter, setFilter] = useState<LineFilter>({});
  const { selection, list, controls, rowProps } = useSelectableList({
    query: MailLinesQuery,
    variables: { filter: { ...filter, contractStatus: "ACTIVE" } },
    connection: (data) => data.lines,
    initial: new URLSearchParams(search).has("preselected") ? flow.preselected : new Map<string, MailLine>(),
    toChoice: (line) => mailLine(line),
  });
  const inquiry = usePasswordInquiry();
  const [confirming, setConfirming] = useState(false);
  const [sent, setSent] = useState<MailRequestFieldsFragment | null>(null);
  const [sending, send] = useMutation(SendPasswordNotice);
  const [idempotencyKey] = useState(newIdempotencyKey);

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
    if (!payload) return selection.setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt)
      return selection.setErrors(payload.userErrors.map((e) => e.message));
    inquiry.forget();
    setSent(payload);
  }

  if (sent?.receipt) {
    return (
      <MailSent
        title={mailTexts.passwordTitle}
        lead={mailTexts.appDoneLead}
        receipt={sent.receipt}
        skipped={sent.skipped}
      />
    );
  }

  return (
    <Page title={mailTexts.passwordTitle} lead={mailTexts.passwordLead}>
      <LineFilters onChange={setFilter} />
      <SelectionControls {...controls} />
      <ListTable list={list} label={mailTexts.passwordTitle}>
        <thead>
          <tr>
            <th scope="col">{commonTexts.select}</th>
            <th scope="col">{commonTexts.no}</th>
            <th scope="col">{commonTexts.status}</th>
            <th scope="col">{commonTexts.group}</th>
            <th scope="col">{commonTexts.phone}</th>
            <th scope="col">{commonTexts.name}</th>
            <th scope="col">{commonTexts.nameKana}</th>
            <th scope="col">{commonTexts.affiliation}</th>
            <th scope="col">{mailTexts.password}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((line, index) => (
            <SelectRow key={line.id} {...rowProps(line, index)}>
              <td>
                {isOutOfService(line.deviceKind) ? statusTexts.outOfService : statusTexts.line[line.status]}
              </td>
              <td>{line.group?.name ?? ""}</td>
              <td>{line.phoneNumber}</td>
              <td>{line.name}</td>
              <td>{line.nameKana}</td>
              <td>{line.affiliation}</td>
              <td className="password">{inquiry.passwords.get(line.id) ?? ""}</td>
            </SelectRow>
          ))}
        </tbody>
      </ListTable>
      <SelectionBar selected={selection.selected.size} total={list.totalCount} />
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="回線一覧のページ" />
      <div className="actions">
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
      </div>
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
