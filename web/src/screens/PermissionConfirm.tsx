// 確認: the expanded lines with their targets and R14 cautions, then 決定.
// What is shown is the preview 確認画面へ was answered with (asked once, by
// useToConfirm); 決定 sends the draft with one idempotency key (a double click
// or a retry cannot create two receipts) and with what this preview saw (R18:
// the lines' versions and the previewToken), so a line changed by someone else
// since it was shown here is refused instead of overwritten.
import { useState } from "react";
import { useMutation } from "urql";
import { Link, useLocation } from "wouter";
import { Page, Steps } from "../components/Layout.tsx";
import { ErrorMessages } from "../components/Messages.tsx";
import { Pager, PageSizeSelect } from "../components/Paging.tsx";
import { type MailLine, mailLine, permissionInput, seenAtConfirm, useFlow } from "../flow.tsx";
import { graphql } from "../gql/index.ts";
import { commonTexts, permissionTexts } from "../texts.ts";

const SubmitMutation = graphql(`
  mutation SubmitPermissionChange($input: PermissionChangeInput!) {
    submitPermissionChange(input: $input) {
      receipt { id number status progress { total pending processing succeeded failed } }
      userErrors { code message lineIds }
    }
  }
`);

export function PermissionConfirm() {
  const flow = useFlow();
  const [, navigate] = useLocation();
  const draft = flow.draft;
  const [errors, setErrors] = useState<string[]>([]);
  const [pageSize, setPageSize] = useState(20);
  const [page, setPage] = useState(0);
  const [submitting, submit] = useMutation(SubmitMutation);

  if (!draft) {
    return (
      <Page title={permissionTexts.confirmTitle}>
        <Link href="/permissions">{permissionTexts.title}</Link>
      </Page>
    );
  }

  const preview = draft.preview;

  async function decide() {
    if (!draft) return;
    const result = await submit({
      input: { ...permissionInput(draft, seenAtConfirm(preview)), idempotencyKey: draft.idempotencyKey },
    });
    const payload = result.data?.submitPermissionChange;
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt) {
      return setErrors(payload.userErrors.map((e) => e.message));
    }
    // R9: the app-mail screen opens with the lines that were just allowed.
    const allowed = new Map<string, MailLine>();
    for (const target of preview.lines) {
      if (target.backup || target.phonebookMigration) allowed.set(target.line.id, mailLine(target.line));
    }
    flow.setPreselected(allowed);
    flow.setReceipt({ id: payload.receipt.id, number: payload.receipt.number });
    flow.setDraft(null);
    navigate("/permissions/done");
  }

  const lines = preview.lines;
  const pages = Math.max(1, Math.ceil(lines.length / pageSize));
  const rows = lines.slice(page * pageSize, (page + 1) * pageSize);
  const cautions = preview.warnings;

  return (
    <Page title={permissionTexts.confirmTitle} lead={[permissionTexts.confirmLead]}>
      <Steps current={1} />
      <ErrorMessages errors={errors} />
      {cautions.map((warning) => (
        <aside key={warning.code} className="caution" role="note">
          {warning.message.split("\n").map((line) => (
            <p key={line}>{line}</p>
          ))}
          <p className="note">対象: {warning.lineIds.length}件（表の「※」の回線）</p>
        </aside>
      ))}
      <div className="selection-bar">
        <output className="counter">{commonTexts.lineCount(preview.totalCount)}</output>
        <PageSizeSelect
          value={pageSize}
          onChange={(size) => {
            setPageSize(size);
            setPage(0);
          }}
        />
      </div>
      <div className="table-wrap">
        <table aria-label={permissionTexts.confirmTitle}>
          <thead>
            <tr>
              <th scope="col">{commonTexts.no}</th>
              <th scope="col">{commonTexts.group}</th>
              <th scope="col">{commonTexts.phone}</th>
              <th scope="col">{commonTexts.name}</th>
              <th scope="col">{commonTexts.backup}</th>
              <th scope="col">{commonTexts.migration}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((target, index) => (
              <tr key={target.line.id}>
                <td>{page * pageSize + index + 1}</td>
                <td>{target.line.group?.name ?? ""}</td>
                <td>{target.line.phoneNumber}</td>
                <td>{target.line.name}</td>
                <td>{target.backup ? commonTexts.on : commonTexts.off}</td>
                <td>
                  {target.phonebookMigration ? commonTexts.on : commonTexts.off}
                  {target.sharedPhonebookWarning && (
                    <span className="mark" title="共有電話帳">
                      {" "}
                      ※
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <output className="counter">{commonTexts.lineCount(preview.totalCount)}</output>
      <Pager page={page} pages={pages} onChange={setPage} label="確認のページ" />
      <div className="actions">
        <Link
          href={draft.source === "lines" ? "/permissions/lines" : "/permissions/groups"}
          className="button"
        >
          {commonTexts.back}
        </Link>
        <button
          type="button"
          className="primary"
          disabled={preview.userErrors.length > 0 || submitting.fetching}
          onClick={decide}
        >
          {permissionTexts.decide}
        </button>
      </div>
    </Page>
  );
}
