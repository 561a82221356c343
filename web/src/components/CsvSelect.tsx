// 「CSVで選択」 above a selectable line list (利用可否設定's 回線一覧, アプリ
// ダウンロード依頼, パスワード照会／通知): the administrator's Excel list of
// phone numbers becomes the selection. The browser reads the file
// (csv/parseLineCsv.ts), the server says which line each row names
// (resolveLineSelection: only lines this administrator may see; R3's 200 and
// texts, R16), and every row that selects nothing is reported with its row
// number, as Excel shows it, and the reason.
import { useEffect, useId, useRef, useState } from "react";
import { useClient } from "urql";
import { type CsvLineRow, readLineCsv } from "../csv/parseLineCsv.ts";
import type { CsvLineSelectionQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import type { useSelection } from "../hooks/useSelection.ts";
import { commonTexts, csvTexts } from "../texts.ts";
import { ErrorMessages } from "./Messages.tsx";

export const CsvLineSelection = graphql(`
  query CsvLineSelection($input: ResolveLineSelectionInput!) {
    resolveLineSelection(input: $input) {
      rows {
        index status message backup phonebookMigration
        line { id phoneNumber name backup phonebookMigration group { id name } }
      }
    }
  }
`);

type ResolvedRow = CsvLineSelectionQuery["resolveLineSelection"]["rows"][number];

/** A row that selected its line: the line, and the row's targets (null: the file left them open). */
export type CsvSelectedLine = ResolvedRow & { line: NonNullable<ResolvedRow["line"]> };

interface ReportRow {
  row: number;
  phoneNumber: string;
  result: string;
}

interface Report {
  file: string;
  rows: number;
  selected: number;
  notSelected: ReportRow[];
}

type Selection<T extends { id: string }> = Pick<
  ReturnType<typeof useSelection<T>>,
  "selected" | "selectPage" | "deselectPage"
>;

export function CsvSelect<T extends { id: string }>({
  selection,
  toChoice,
  targets = false,
}: {
  selection: Selection<T>;
  /** What the selection keeps for a line the file selected. */
  toChoice: (resolved: CsvSelectedLine) => T;
  /** Read the バックアップ機能 / 電話帳移行機能 columns (利用可否設定). */
  targets?: boolean;
}) {
  const client = useClient();
  const input = useRef<HTMLInputElement>(null);
  const summary = useRef<HTMLParagraphElement>(null);
  const hintId = useId();
  const [reading, setReading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  // The selection as it is when the server answers, not as it was when the file was chosen.
  const latest = useRef(selection);
  latest.current = selection;

  // The result is where the eye and the screen reader go next.
  useEffect(() => {
    if (report) summary.current?.focus();
  }, [report]);

  async function resolveRows(rows: CsvLineRow[]): Promise<ResolvedRow[] | string> {
    if (rows.length === 0) return [];
    const result = await client
      .query(
        CsvLineSelection,
        {
          input: {
            rows: rows.map(({ phoneNumber, backup, phonebookMigration }) => ({
              phoneNumber,
              backup,
              phonebookMigration,
            })),
          },
        },
        { requestPolicy: "network-only" },
      )
      .toPromise();
    return (
      result.data?.resolveLineSelection.rows ??
      result.error?.graphQLErrors[0]?.message ??
      commonTexts.networkError
    );
  }

  async function read(file: File) {
    setReading(true);
    setError(null);
    setReport(null);
    try {
      const parsed = readLineCsv(new Uint8Array(await file.arrayBuffer()), { targets });
      if (!parsed.ok) return setError(csvTexts.fileErrors[parsed.error]);
      const resolved = await resolveRows(parsed.rows);
      if (typeof resolved === "string") return setError(resolved);

      const chosen = resolved.filter(
        (row): row is CsvSelectedLine => row.status === "SELECTED" && row.line != null,
      );
      const current = latest.current;
      current.deselectPage([...current.selected.values()]);
      current.selectPage(chosen.map(toChoice));

      const notSelected: ReportRow[] = [
        ...parsed.problems.map((problem) => ({
          row: problem.row,
          phoneNumber: problem.phoneNumber,
          result: csvTexts.rowProblems[problem.code],
        })),
        ...resolved.flatMap((row) => {
          const source = parsed.rows[row.index];
          return row.status === "SELECTED" || !source
            ? []
            : [{ row: source.row, phoneNumber: source.phoneNumber, result: row.message ?? "" }];
        }),
      ].sort((a, b) => a.row - b.row);
      setReport({
        file: file.name,
        rows: parsed.rows.length + parsed.problems.length,
        selected: chosen.length,
        notSelected,
      });
    } finally {
      setReading(false);
      // The same file may be chosen again after it was edited.
      if (input.current) input.current.value = "";
    }
  }

  return (
    <div className="csv-select">
      <div className="csv-select-control">
        <button
          type="button"
          disabled={reading}
          aria-describedby={hintId}
          onClick={() => input.current?.click()}
        >
          {csvTexts.choose}
        </button>
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv,.txt,text/plain"
          hidden
          aria-label={csvTexts.fileLabel}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void read(file);
          }}
        />
        <span id={hintId} className="note">
          {csvTexts.hint}
          {targets ? csvTexts.targetsHint : ""}
        </span>
      </div>
      {reading && (
        <p className="note" aria-busy="true">
          {csvTexts.reading}
        </p>
      )}
      <ErrorMessages errors={error ? [error] : []} />
      {report && (
        <section className="csv-report" aria-label={csvTexts.choose}>
          <p ref={summary} role="status" tabIndex={-1}>
            {csvTexts.summary(report.file, report.rows, report.selected)}
          </p>
          {report.notSelected.length > 0 && (
            // Scrolls when long, and takes focus so the keyboard can scroll it too.
            <section
              className="csv-report-rows"
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (axe scrollable-region-focusable)
              tabIndex={0}
              aria-label={csvTexts.notSelected(report.notSelected.length)}
            >
              <table>
                <caption>{csvTexts.notSelected(report.notSelected.length)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{csvTexts.row}</th>
                    <th scope="col">{csvTexts.phone}</th>
                    <th scope="col">{csvTexts.result}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.notSelected.map((row) => (
                    <tr key={`${row.row}-${row.result}`}>
                      <td>{row.row.toLocaleString("ja-JP")}</td>
                      <td>{row.phoneNumber}</td>
                      <td>{row.result}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <button type="button" className="link-button" onClick={() => setReport(null)}>
            {csvTexts.close}
          </button>
        </section>
      )}
    </div>
  );
}
