// My SoftBankパスワード照会／通知 (R10): 照会 shows the passwords of the
// selected lines on this screen only (MAIN/SUB; the server audits it), and
// 通知メール送信 mails each line its password after the manual's dialog.
// 3G lines are shown as サービス対象外 and cannot be chosen (R16).
import { useEffect, useState } from "react";
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
import { type MailLine, useFlow } from "../flow.tsx";
import { newIdempotencyKey } from "../format.ts";
import type { LineFilter, SendPasswordNoticeMutation } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { useSelection } from "../hooks/useSelection.ts";
import { useSession } from "../session.tsx";
import { commonTexts, mailTexts, screenTexts, statusTexts, userErrorMessages } from "../texts.ts";
import { MailLinesQuery, mailLine } from "./AppMail.tsx";

export const InquirePasswords = graphql(`
  mutation InquirePasswords($input: InquirePasswordsInput!) {
    inquirePasswords(input: $input) {
      passwords { password line { id } }
      userErrors { code message }
    }
  }
`);

const SendPasswordNotice = graphql(`
  mutation SendPasswordNotice($input: SendMailInput!) {
    sendPasswordNotice(input: $input) { ...MailRequestFields }
  }
`);

export function Passwords() {
  const flow = useFlow();
  const session = useSession();
  const search = useSearch();
  const [pageSize, setPageSize] = useState(50);
  const [filter, setFilter] = useState<LineFilter>({});
  const selection = useSelection<MailLine>(
    new URLSearchParams(search).has("preselected") ? flow.preselected : new Map(),
  );
  const [passwords, setPasswords] = useState<Map<string, string>>(new Map());
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  // A message answers the selection it was about: a new selection clears it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on selection changes only
  useEffect(() => setErrors([]), [selection.selected]);
  const [sent, setSent] = useState<SendPasswordNoticeMutation["sendPasswordNotice"] | null>(null);
  const [inquiring, inquire] = useMutation(InquirePasswords);
  const [sending, send] = useMutation(SendPasswordNotice);
  const [idempotencyKey] = useState(newIdempotencyKey);
  const canInquire = session.viewer?.scopes.includes("READ_PASSWORDS") ?? false;

  const list = usePagedConnection({
    query: MailLinesQuery,
    variables: { filter: { ...filter, contractStatus: "ACTIVE" } },
    pageSize,
    connection: (data) => data.lines,
  });

  async function runInquiry() {
    if (selection.selected.size === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    const result = await inquire({ input: { lineIds: [...selection.selected.keys()] } });
    const payload = result.data?.inquirePasswords;
    if (!payload) return setErrors([result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError]);
    setErrors(payload.userErrors.map((e) => e.message));
    setPasswords(new Map(payload.passwords.map((p) => [p.line.id, p.password])));
  }

  function ask() {
    if (selection.selected.size === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    setErrors([]);
    setConfirming(true);
  }

  async function confirm() {
    setConfirming(false);
    const result = await send({ input: { lineIds: [...selection.selected.keys()], idempotencyKey } });
    const payload = result.data?.sendPasswordNotice;
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt)
      return setErrors(payload.userErrors.map((e) => e.message));
    setPasswords(new Map());
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
      <SelectionControls
        selection={selection}
        list={list}
        errors={errors}
        toChoice={mailLine}
        selectable={(line) => !isOutOfService(line.deviceKind)}
        pageSize={pageSize}
        onPageSize={setPageSize}
      />
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
            <SelectRow
              key={line.id}
              phoneNumber={line.phoneNumber}
              number={list.page * pageSize + index + 1}
              checked={selection.selected.has(line.id)}
              disabled={isOutOfService(line.deviceKind)}
              onChange={(checked) => selection.toggle(mailLine(line), checked)}
            >
              <td>
                {isOutOfService(line.deviceKind) ? statusTexts.outOfService : statusTexts.line[line.status]}
              </td>
              <td>{line.group?.name ?? ""}</td>
              <td>{line.phoneNumber}</td>
              <td>{line.name}</td>
              <td>{line.nameKana}</td>
              <td>{line.affiliation}</td>
              <td className="password">{passwords.get(line.id) ?? ""}</td>
            </SelectRow>
          ))}
        </tbody>
      </ListTable>
      <SelectionBar selected={selection.selected.size} total={list.totalCount} />
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="回線一覧のページ" />
      <div className="actions">
        {canInquire && (
          <button type="button" disabled={inquiring.fetching} onClick={runInquiry}>
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
