// 確認: the expanded lines with their targets and R14 cautions, then 決定.
// What is shown is the preview 確認画面へ was answered with (asked once, by
// useToConfirm); 決定 sends the draft with one idempotency key (a double click
// or a retry cannot create two receipts) and with what this preview saw (R18:
// the lines' versions and the previewToken), so a line changed by someone else
// since it was shown here is refused instead of overwritten. Each feature
// shows its setting before → after, and lines whose settings would not change
// are marked 変更なし (and counted above the table).
import { useState } from "react";
import { useMutation } from "urql";
import { Link, useLocation } from "wouter";
import { ActionBar } from "../components/ActionBar.tsx";
import { Page, Steps } from "../components/Layout.tsx";
import { Pager, PageSizeSelect } from "../components/Paging.tsx";
import { TableRegion } from "../components/TableRegion.tsx";
import { permissionInput, seenAtConfirm, useFlow } from "../flow.tsx";
import { graphql } from "../gql/index.ts";
import { commonTexts, guidanceTexts, permissionTexts } from "../texts.ts";

const onOff = (value: boolean) => (value ? commonTexts.on : commonTexts.off);

/** A feature's cell: before → after, the after emphasised when it changes. */
function Change({ before, after }: { before: boolean; after: boolean }) {
  if (before === after)
    return <span className="same">{guidanceTexts.beforeAfter(onOff(before), onOff(after))}</span>;
  return (
    <span className="changed">
      {onOff(before)} → <strong>{onOff(after)}</strong>
    </span>
  );
}

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
  /** Lines 決定 was refused for (e.g. R5's CONFLICT): marked in the table. */
  const [flagged, setFlagged] = useState<ReadonlySet<string>>(new Set());
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
    if (!payload) return setErrors([result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError]);
    if (payload.userErrors.length > 0 || !payload.receipt) {
      setFlagged(new Set(payload.userErrors.flatMap((e) => e.lineIds)));
      return setErrors([...new Set(payload.userErrors.map((e) => e.message))]);
    }
    flow.setDraft(null);
    // 完了 reads the receipt by its number (a reload shows it again), and its
    // アプリダウンロード依頼 the lines this receipt allowed (R9).
    navigate(`/permissions/done/${payload.receipt.number}`);
  }

  const lines = preview.lines;
  const pages = Math.max(1, Math.ceil(lines.length / pageSize));
  const rows = lines.slice(page * pageSize, (page + 1) * pageSize);
  const cautions = preview.warnings;
  const unchanged = (target: (typeof lines)[number]) =>
    target.backup === target.line.backup && target.phonebookMigration === target.line.phonebookMigration;
  const unchangedCount = lines.filter(unchanged).length;

  return (
    <Page title={permissionTexts.confirmTitle} lead={[permissionTexts.confirmLead]}>
      <Steps current={1} />
      {unchangedCount > 0 && (
        <p className="caution" role="note">
          {guidanceTexts.unchangedCount(unchangedCount, lines.length)}
        </p>
      )}
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
      <TableRegion label={permissionTexts.confirmTitle}>
        <table aria-label={permissionTexts.confirmTitle}>
          <thead>
            <tr>
              <th scope="col">{commonTexts.no}</th>
              <th scope="col">{commonTexts.group}</th>
              <th scope="col">{commonTexts.phone}</th>
              <th scope="col">{commonTexts.name}</th>
              <th scope="col">{commonTexts.backup}</th>
              <th scope="col">{commonTexts.migration}</th>
              <th scope="col">{guidanceTexts.change}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((target, index) => (
              <tr
                key={target.line.id}
                className={
                  flagged.has(target.line.id) ? "flagged" : unchanged(target) ? "unchanged" : undefined
                }
              >
                <td>
                  {page * pageSize + index + 1}
                  {flagged.has(target.line.id) && <span className="flag">{guidanceTexts.flaggedRow}</span>}
                </td>
                <td>{target.line.group?.name ?? ""}</td>
                <td>{target.line.phoneNumber}</td>
                <td>{target.line.name}</td>
                <td>
                  <Change before={target.line.backup} after={target.backup} />
                </td>
                <td>
                  <Change before={target.line.phonebookMigration} after={target.phonebookMigration} />
                  {target.sharedPhonebookWarning && (
                    <span className="mark" title="共有電話帳">
                      {" "}
                      ※
                    </span>
                  )}
                </td>
                <td>{unchanged(target) ? guidanceTexts.unchanged : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <output className="counter">{commonTexts.lineCount(preview.totalCount)}</output>
      <Pager page={page} pages={pages} onChange={setPage} label="確認のページ" />
      <ActionBar
        errors={errors}
        flagged={preview.lines
          .filter((target) => flagged.has(target.line.id))
          .map((target) => ({ id: target.line.id, phoneNumber: target.line.phoneNumber }))}
      >
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
      </ActionBar>
    </Page>
  );
}
