// 「CSV出力」: what a list shows (its filter, order and view) as a CSV file
// from the server (GET /export/…, server/exports.ts), in UTF-8 with a BOM or
// in Shift_JIS, for Excel. The file is fetched with the session's token in
// the Authorization header — never in a URL, where it would reach the
// server's and proxies' logs and the browser's history — and handed to the
// browser as a Blob link to save.
import { useId, useState } from "react";
import { useSession } from "../session.tsx";
import { csvExportTexts } from "../texts.ts";
import { ErrorMessages } from "./Messages.tsx";

export type CsvEncoding = "utf8" | "sjis";

/** What a list's variables say, as the export's query parameters. */
export interface ExportVariables {
  /** The list's GraphQL filter (LineFilter, ReceiptFilter, ReceiptItemFilter). */
  filter?: Record<string, unknown> | null;
  /** The lines' order (LineOrder). */
  orderBy?: { field: string; direction?: string | null } | null;
}

/**
 * The query string of an export: the filter's fields as parameters (lists
 * once per value, as the server reads them), the order, and any others.
 */
export function exportSearchParams(
  variables: ExportVariables,
  others: Record<string, string> = {},
): URLSearchParams {
  const params = new URLSearchParams(others);
  for (const [name, value] of Object.entries(variables.filter ?? {})) {
    if (value === null || value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  if (variables.orderBy) {
    params.set("orderBy", variables.orderBy.field);
    params.set("direction", variables.orderBy.direction ?? "ASC");
  }
  return params;
}

/** The file name a response names (RFC 6266: filename* in UTF-8 first, then filename). */
export function attachmentFileName(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // Fall through to the plain name.
    }
  }
  return /filename="([^"]+)"/i.exec(disposition)?.[1] ?? fallback;
}

/** Saves `blob` as `fileName` through a temporary link (what a download button does). */
function save(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference to the blob once it started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function CsvExport({
  what,
  path,
  variables = {},
  view,
}: {
  /** What is exported (回線一覧, 履歴, 履歴詳細), for the controls' accessible names. */
  what: string;
  /** Under /export/: lines.csv, receipts.csv, receipts/<受付番号>/items.csv. */
  path: string;
  variables?: ExportVariables;
  /** Which screen's columns (the server's `view`). */
  view?: string;
}) {
  const { token } = useSession();
  const [encoding, setEncoding] = useState<CsvEncoding>("utf8");
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const encodingId = useId();

  async function download() {
    setExporting(true);
    setError(null);
    try {
      const params = exportSearchParams(variables, { ...(view ? { view } : {}), encoding });
      const response = await fetch(`/export/${path}?${params}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (!response.ok) {
        // The server says why in Japanese (domain/messages.ts); anything else is a failure.
        const refusal = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setError(refusal?.error?.message ?? csvExportTexts.failed);
        return;
      }
      const fileName = attachmentFileName(response.headers.get("content-disposition"), "export.csv");
      save(await response.blob(), fileName);
    } catch {
      // Offline, or the download was cut (the server stops a file it cannot finish).
      setError(csvExportTexts.failed);
    } finally {
      setExporting(false);
    }
  }

  return (
    <div className="csv-export">
      <fieldset className="csv-export-controls">
        <legend className="visually-hidden">{csvExportTexts.label(what)}</legend>
        <label htmlFor={encodingId}>{csvExportTexts.encoding}</label>
        <select
          id={encodingId}
          value={encoding}
          onChange={(event) => setEncoding(event.target.value as CsvEncoding)}
        >
          <option value="utf8">{csvExportTexts.encodings.utf8}</option>
          <option value="sjis">{csvExportTexts.encodings.sjis}</option>
        </select>
        <button type="button" onClick={download} disabled={exporting} aria-busy={exporting}>
          {csvExportTexts.action}
        </button>
        {exporting && (
          <output className="note" aria-live="polite">
            {csvExportTexts.exporting}
          </output>
        )}
      </fieldset>
      {error && <ErrorMessages errors={[error]} />}
    </div>
  );
}
