// グループから選ぶ/設定: one target pair per group (R6), applied to all its
// members; groups holding an out-of-service (3G) line cannot be chosen.
import { useState } from "react";
import { Link } from "wouter";
import { Page, Steps } from "../components/Layout.tsx";
import { ErrorMessages, Loading, RequestError } from "../components/Messages.tsx";
import { Pager } from "../components/Paging.tsx";
import { PermissionHelp } from "../components/PermissionHelp.tsx";
import { SelectionBar } from "../components/SelectionBar.tsx";
import { type GroupChoice, useFlow } from "../flow.tsx";
import { graphql } from "../gql/index.ts";
import { usePagedConnection } from "../hooks/usePagedConnection.ts";
import { useToConfirm } from "../hooks/useToConfirm.ts";
import { commonTexts, permissionTexts, screenTexts } from "../texts.ts";

const PermissionGroupsQuery = graphql(`
  query PermissionGroups($first: Int, $after: String) {
    groups(first: $first, after: $after) {
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
    backup: false,
    phonebookMigration: false,
  });
  const update = (fn: (next: Map<string, GroupChoice>) => void) =>
    setSelected((current) => {
      const next = new Map(current);
      fn(next);
      return next;
    });
  function setTarget(g: Row, field: "backup" | "phonebookMigration", value: boolean) {
    update((next) => next.set(g.id, { ...(next.get(g.id) ?? choice(g)), [field]: value }));
  }
  const members = [...selected.values()].reduce((sum, g) => sum + g.memberCount, 0);

  return (
    <Page title={permissionTexts.groupsTitle}>
      <Steps current={1} />
      <PermissionHelp />
      <p className="note">{screenTexts.GROUP_WITH_3G_NOT_SELECTABLE}</p>
      <ErrorMessages errors={errors} />
      <RequestError error={list.error} />
      <SelectionBar
        selected={selected.size}
        total={list.totalCount}
        pageSize={pageSize}
        onPageSize={setPageSize}
        onSelectPage={() =>
          update((next) => {
            for (const g of list.rows) if (g.selectable && !next.has(g.id)) next.set(g.id, choice(g));
          })
        }
        onDeselectPage={() =>
          update((next) => {
            for (const g of list.rows) next.delete(g.id);
          })
        }
      />
      <p className="counter-detail">対象回線数: {members}件</p>
      {list.loading ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table aria-label={permissionTexts.groupsTitle}>
            <thead>
              <tr>
                <th scope="col">{commonTexts.select}</th>
                <th scope="col">{commonTexts.no}</th>
                <th scope="col">{commonTexts.group}</th>
                <th scope="col">{commonTexts.members}</th>
                <th scope="col">{commonTexts.status}</th>
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
                        onChange={(e) =>
                          update((next) => {
                            if (e.target.checked) next.set(g.id, choice(g));
                            else next.delete(g.id);
                          })
                        }
                        aria-label={`${g.name}を選択`}
                      />
                    </td>
                    <td>{list.page * pageSize + index + 1}</td>
                    <td>{g.name}</td>
                    <td>{g.memberCount}名</td>
                    <td>{g.selectable ? "サービス中" : "サービス対象外の回線を含む"}</td>
                    <td>
                      <input
                        type="checkbox"
                        checked={chosen?.backup ?? false}
                        disabled={!g.selectable}
                        onChange={(e) => setTarget(g, "backup", e.target.checked)}
                        aria-label={`${g.name}の${commonTexts.backup}`}
                      />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        checked={chosen?.phonebookMigration ?? false}
                        disabled={!g.selectable}
                        onChange={(e) => setTarget(g, "phonebookMigration", e.target.checked)}
                        aria-label={`${g.name}の${commonTexts.migration}`}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={list.page} pages={list.pages} onChange={list.setPage} label="グループ一覧のページ" />
      <div className="actions">
        <Link href="/permissions" className="button">
          {commonTexts.back}
        </Link>
        <button
          type="button"
          className="primary"
          disabled={previewing}
          onClick={async () =>
            setErrors(await toConfirm({ source: "groups", lines: new Map(), groups: selected }))
          }
        >
          {permissionTexts.toConfirm}
        </button>
      </div>
    </Page>
  );
}
