// グループから選ぶ/設定: one target pair per group (R6), applied to all its
// members; groups holding an out-of-service (3G) line cannot be chosen. Each
// feature of a chosen group starts unset (「選択してください」) and must be
// set to ON or OFF before 確認: an unticked box no longer turns a feature OFF
// for every member unasked (the API keeps one pair per group). The members of
// the chosen groups are counted as they are chosen, and more than 200 is said
// at once (R3), not after a round trip.
import { useState } from "react";
import { Link } from "wouter";
import { ActionBar } from "../components/ActionBar.tsx";
import { Page, Steps } from "../components/Layout.tsx";
import { Loading, RequestError } from "../components/Messages.tsx";
import { Pager } from "../components/Paging.tsx";
import { PermissionHelp } from "../components/PermissionHelp.tsx";
import { SelectionBar } from "../components/SelectionBar.tsx";
import { TableRegion } from "../components/TableRegion.tsx";
import { type GroupChoice, useFlow } from "../flow.tsx";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { MAX_LINES } from "../hooks/useSelection.ts";
import { useToConfirm } from "../hooks/useToConfirm.ts";
import { commonTexts, guidanceTexts, permissionTexts, screenTexts, userErrorMessages } from "../texts.ts";

type Target = "backup" | "phonebookMigration";

/** A group's target as its select shows it. */
const targetValue = (value: boolean | null | undefined) => (value == null ? "" : value ? "on" : "off");

const PermissionGroupsQuery = graphql(`
  query PermissionGroups($first: Int, $after: String, $last: Int, $before: String) {
    groups(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges { cursor node { id name memberCount selectable } }
    }
  }
`);

export function PermissionGroups() {
  const flow = useFlow();
  const [pageSize, setPageSize] = useState(20);
  const [selected, setSelected] = useState<Map<string, GroupChoice>>(
    flow.draft?.source === "groups" ? flow.draft.groups : new Map(),
  );
  const { toConfirm, previewing } = useToConfirm();
  const [errors, setErrors] = useState<string[]>([]);
  const list = usePagedConnection({
    query: PermissionGroupsQuery,
    variables: {},
    pageSize,
    connection: (data) => data.groups,
  });

  type Row = (typeof list.rows)[number];
  const choice = (g: Row): GroupChoice => ({
    id: g.id,
    name: g.name,
    memberCount: g.memberCount,
    backup: null,
    phonebookMigration: null,
  });
  const update = (fn: (next: Map<string, GroupChoice>) => void) =>
    setSelected((current) => {
      const next = new Map(current);
      fn(next);
      return next;
    });
  function setTarget(g: Row, field: Target, value: string) {
    const target = value === "" ? null : value === "on";
    update((next) => next.set(g.id, { ...(next.get(g.id) ?? choice(g)), [field]: target }));
    setErrors([]);
  }
  const members = [...selected.values()].reduce((sum, g) => sum + g.memberCount, 0);
  /** R3's limit over the members of the chosen groups, said as soon as it is passed. */
  const overLimit = members > MAX_LINES ? userErrorMessages.TOO_MANY_LINES : null;

  async function toConfirmScreen() {
    if (selected.size === 0) return setErrors([userErrorMessages.NO_LINES_SELECTED]);
    if (overLimit) return setErrors([overLimit]);
    const unset = [...selected.values()].filter((g) => g.backup === null || g.phonebookMigration === null);
    if (unset.length > 0) return setErrors([guidanceTexts.groupTargetRequired(unset.map((g) => g.name))]);
    const answered = await toConfirm({ source: "groups", lines: new Map(), groups: selected });
    setErrors([...new Set(answered.map((e) => e.message))]);
  }

  return (
    <Page title={permissionTexts.groupsTitle}>
      <Steps current={1} />
      <PermissionHelp />
      <p className="note">{screenTexts.GROUP_WITH_3G_NOT_SELECTABLE}</p>
      <p className="note">{guidanceTexts.groupTargetHelp}</p>
      <RequestError error={list.error} />
      <SelectionBar
        selected={selected.size}
        total={list.totalCount}
        pageSize={pageSize}
        onPageSize={setPageSize}
        onSelectPage={() => {
          setErrors([]);
          update((next) => {
            for (const g of list.rows) if (g.selectable && !next.has(g.id)) next.set(g.id, choice(g));
          });
        }}
        onDeselectPage={() => {
          setErrors([]);
          update((next) => {
            for (const g of list.rows) next.delete(g.id);
          });
        }}
      />
      <output className="counter-detail" aria-live="polite">
        {guidanceTexts.groupMembers(members)}
      </output>
      {list.loading ? (
        <Loading />
      ) : (
        <TableRegion label={permissionTexts.groupsTitle}>
          <table aria-label={permissionTexts.groupsTitle}>
            <thead>
              <tr>
                <th scope="col">{commonTexts.select}</th>
                <th scope="col">{commonTexts.no}</th>
                <th scope="col">{commonTexts.group}</th>
                <th scope="col">{commonTexts.members}</th>
                <th scope="col" className="status-col">
                  {commonTexts.status}
                </th>
                <th scope="col">{commonTexts.backup}</th>
                <th scope="col">{commonTexts.migration}</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((g, index) => {
                const chosen = selected.get(g.id);
                return (
                  <tr key={g.id} className={chosen ? "selected" : g.selectable ? undefined : "disabled"}>
                    <td>
                      <input
                        type="checkbox"
                        checked={Boolean(chosen)}
                        disabled={!g.selectable}
                        onChange={(e) => {
                          setErrors([]);
                          update((next) => {
                            if (e.target.checked) next.set(g.id, choice(g));
                            else next.delete(g.id);
                          });
                        }}
                        aria-label={`${g.name}を選択`}
                      />
                    </td>
                    <td>{list.page * pageSize + index + 1}</td>
                    <td>{g.name}</td>
                    <td>{guidanceTexts.memberCount(g.memberCount)}</td>
                    <td className="status-col">
                      {g.selectable ? "サービス中" : "サービス対象外の回線を含む"}
                    </td>
                    {(["backup", "phonebookMigration"] as const).map((field) => (
                      <td key={field}>
                        <select
                          value={targetValue(chosen?.[field])}
                          disabled={!g.selectable}
                          // Chosen but still unset: 確認画面へ asks for it.
                          aria-invalid={
                            chosen && chosen[field] === null && errors.length > 0 ? true : undefined
                          }
                          onChange={(e) => setTarget(g, field, e.target.value)}
                          aria-label={`${g.name}の${field === "backup" ? commonTexts.backup : commonTexts.migration}`}
                        >
                          <option value="">{guidanceTexts.groupTargetUnset}</option>
                          <option value="on">{guidanceTexts.groupTargetOn}</option>
                          <option value="off">{guidanceTexts.groupTargetOff}</option>
                        </select>
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableRegion>
      )}
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="グループ一覧のページ" />
      <ActionBar errors={errors} notice={overLimit}>
        <Link href="/permissions" className="button">
          {commonTexts.back}
        </Link>
        <button type="button" className="primary" disabled={previewing} onClick={toConfirmScreen}>
          {permissionTexts.toConfirm}
        </button>
      </ActionBar>
    </Page>
  );
}
