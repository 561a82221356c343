// 携帯電話番号一覧から選択/設定: choose lines across pages, each with its own
// backup and migration targets (R6), then 確認画面へ (the server checks R3/R5).
// 3G lines are shown as サービス対象外 and cannot be chosen (R16).
import { useState } from "react";
import { useSubscription } from "urql";
import { Link } from "wouter";
import { isOutOfService } from "../../../domain/rules/selection.ts";
import { ActionBar } from "../components/ActionBar.tsx";
import { CsvExport } from "../components/CsvExport.tsx";
import { CsvSelect } from "../components/CsvSelect.tsx";
import { Page, Steps } from "../components/Layout.tsx";
import { LineFilters } from "../components/LineFilters.tsx";
import { ListTable, SelectRow, SortHeader } from "../components/ListTable.tsx";
import { Pager } from "../components/Paging.tsx";
import { PermissionHelp } from "../components/PermissionHelp.tsx";
import { RosterRefresh } from "../components/RosterRefresh.tsx";
import { SelectedOnlyToggle } from "../components/SelectedOnly.tsx";
import { listTotal, SelectionBar, SelectionControls } from "../components/SelectionBar.tsx";
import { type LineChoice, useFlow } from "../flow.tsx";
import type { LineFilter } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useSelectableList } from "../hooks/useSelectableList.ts";
import { useToConfirm } from "../hooks/useToConfirm.ts";
import { commonTexts, csvExportTexts, findTexts, permissionTexts, statusTexts } from "../texts.ts";

export const PermissionLinesQuery = graphql(`
  query PermissionLines(
    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder
  ) {
    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id phoneNumber name status contractStatus deviceKind backup phonebookMigration version
          group { id name }
        }
      }
    }
  }
`);

/** Lines change status and flags while the carrier works: the list follows without reloading. */
export const LineStatusSubscription = graphql(`
  subscription LineStatus {
    lineStatusChanged { id status backup phonebookMigration version }
  }
`);

export function PermissionLines() {
  const flow = useFlow();
  const [filter, setFilter] = useState<LineFilter>({});
  const { selection, list, toChoice, controls, rowProps, sortProps, selectedOnly, shown } = useSelectableList(
    {
      query: PermissionLinesQuery,
      variables: { filter },
      connection: (data) => data.lines,
      initial: flow.draft?.source === "lines" ? flow.draft.lines : new Map<string, LineChoice>(),
      toChoice: (line): LineChoice => ({
        id: line.id,
        phoneNumber: line.phoneNumber,
        name: line.name,
        groupName: line.group?.name ?? null,
        backup: line.backup,
        phonebookMigration: line.phonebookMigration,
      }),
    },
  );
  const { toConfirm, previewing } = useToConfirm();
  useSubscription({ query: LineStatusSubscription });

  function setTarget(
    line: (typeof list.rows)[number],
    field: "backup" | "phonebookMigration",
    value: boolean,
  ) {
    if (selection.selected.has(line.id)) selection.update(line.id, { [field]: value });
    else selection.toggle({ ...toChoice(line), [field]: value }, true);
  }

  function setPageTargets(field: "backup" | "phonebookMigration", value: boolean) {
    for (const line of list.rows)
      if (selection.selected.has(line.id)) selection.update(line.id, { [field]: value });
  }

  const selectedInPage = list.rows.filter((l) => selection.selected.has(l.id));
  const pageAll = (field: "backup" | "phonebookMigration") =>
    selectedInPage.length > 0 && selectedInPage.every((l) => selection.selected.get(l.id)?.[field]);

  return (
    <Page title={permissionTexts.linesTitle}>
      <Steps current={1} />
      <PermissionHelp />
      <LineFilters onChange={setFilter} />
      <RosterRefresh />
      <CsvSelect
        selection={selection}
        targets
        toChoice={({ line, backup, phonebookMigration }): LineChoice => ({
          id: line.id,
          phoneNumber: line.phoneNumber,
          name: line.name,
          groupName: line.group?.name ?? null,
          // A cell left empty keeps the line's current setting, as ticking the row does.
          backup: backup ?? line.backup,
          phonebookMigration: phonebookMigration ?? line.phonebookMigration,
        })}
      />
      <SelectionControls {...controls} />
      <SelectedOnlyToggle {...selectedOnly} />
      <CsvExport what={csvExportTexts.lines} path="lines.csv" view="permissions" variables={shown} />
      <ListTable list={list} label={permissionTexts.linesTitle}>
        <thead>
          <tr>
            <th scope="col">{commonTexts.select}</th>
            <th scope="col">{commonTexts.no}</th>
            <SortHeader {...sortProps("GROUP_NAME")}>{commonTexts.group}</SortHeader>
            <SortHeader {...sortProps("PHONE_NUMBER")}>{commonTexts.phone}</SortHeader>
            <SortHeader {...sortProps("NAME")}>{commonTexts.name}</SortHeader>
            <SortHeader {...sortProps("STATUS")} className="status-col">
              {commonTexts.status}
            </SortHeader>
            <SortHeader {...sortProps("DEVICE_KIND")}>{findTexts.device}</SortHeader>
            <th scope="col">
              <label>
                <input
                  type="checkbox"
                  checked={pageAll("backup")}
                  disabled={selectedInPage.length === 0}
                  onChange={(e) => setPageTargets("backup", e.target.checked)}
                  aria-label="ページ内の選択した回線のバックアップ機能"
                />{" "}
                {commonTexts.backup}
              </label>
            </th>
            <th scope="col">
              <label>
                <input
                  type="checkbox"
                  checked={pageAll("phonebookMigration")}
                  disabled={selectedInPage.length === 0}
                  onChange={(e) => setPageTargets("phonebookMigration", e.target.checked)}
                  aria-label="ページ内の選択した回線の電話帳移行機能"
                />{" "}
                {commonTexts.migration}
              </label>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((line, index) => {
            const chosen = selection.selected.get(line.id);
            const outOfService = isOutOfService(line.deviceKind);
            return (
              <SelectRow key={line.id} {...rowProps(line, index)} flagged={selection.flagged.has(line.id)}>
                <td>{line.group?.name ?? ""}</td>
                <td>{line.phoneNumber}</td>
                <td>{line.name}</td>
                <td className="status-col">
                  {outOfService
                    ? statusTexts.outOfService
                    : line.contractStatus === "CANCELLED"
                      ? statusTexts.contract.CANCELLED
                      : statusTexts.line[line.status]}
                </td>
                <td>{findTexts.devices[line.deviceKind]}</td>
                <td>
                  <input
                    type="checkbox"
                    checked={chosen ? chosen.backup : line.backup}
                    disabled={outOfService}
                    onChange={(e) => setTarget(line, "backup", e.target.checked)}
                    aria-label={`${line.phoneNumber}の${commonTexts.backup}`}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={chosen ? chosen.phonebookMigration : line.phonebookMigration}
                    disabled={outOfService}
                    onChange={(e) => setTarget(line, "phonebookMigration", e.target.checked)}
                    aria-label={`${line.phoneNumber}の${commonTexts.migration}`}
                  />
                </td>
              </SelectRow>
            );
          })}
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
        <Link href="/permissions" className="button">
          {commonTexts.back}
        </Link>
        <button
          type="button"
          className="primary"
          disabled={previewing}
          onClick={async () =>
            selection.setErrors(
              await toConfirm({ source: "lines", lines: selection.selected, groups: new Map() }),
            )
          }
        >
          {permissionTexts.toConfirm}
        </button>
      </ActionBar>
    </Page>
  );
}
