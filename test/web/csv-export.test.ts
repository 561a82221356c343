// 「CSV出力」's pure parts (web/src/components/CsvExport.tsx): a list's
// variables as the export's query string, as server/exports.ts reads it, and
// the file name a response gives.
import { describe, expect, it } from "vitest";
import { attachmentFileName, exportSearchParams } from "../../web/src/components/CsvExport.tsx";

describe("exportSearchParams", () => {
  it("writes the filter's fields, lists once per value, the order, and the export's own parameters", () => {
    const params = exportSearchParams(
      {
        filter: {
          search: "山田",
          deviceKinds: ["IPHONE", "SMARTPHONE"],
          ungrouped: false,
          groupId: null,
          contractStatus: undefined,
          number: "",
        },
        orderBy: { field: "NAME_KANA", direction: "DESC" },
      },
      { view: "permissions", encoding: "sjis" },
    );
    expect([...params]).toEqual([
      ["view", "permissions"],
      ["encoding", "sjis"],
      ["search", "山田"],
      ["deviceKinds", "IPHONE"],
      ["deviceKinds", "SMARTPHONE"],
      ["ungrouped", "false"],
      ["orderBy", "NAME_KANA"],
      ["direction", "DESC"],
    ]);
    expect(params.toString()).toBe(
      "view=permissions&encoding=sjis&search=%E5%B1%B1%E7%94%B0&deviceKinds=IPHONE&deviceKinds=SMARTPHONE&ungrouped=false&orderBy=NAME_KANA&direction=DESC",
    );
  });

  it("an order without a direction is ascending; no filter, no parameters", () => {
    expect([...exportSearchParams({ orderBy: { field: "NAME", direction: null } })]).toEqual([
      ["orderBy", "NAME"],
      ["direction", "ASC"],
    ]);
    expect(exportSearchParams({}).toString()).toBe("");
  });
});

describe("attachmentFileName", () => {
  it("prefers the UTF-8 name (filename*), then the plain one, then the fallback", () => {
    const japanese = encodeURIComponent("回線一覧_20261124_1000.csv");
    expect(
      attachmentFileName(
        `attachment; filename="lines_20261124_1000.csv"; filename*=UTF-8''${japanese}`,
        "x.csv",
      ),
    ).toBe("回線一覧_20261124_1000.csv");
    expect(attachmentFileName('attachment; filename="lines.csv"', "x.csv")).toBe("lines.csv");
    expect(attachmentFileName("attachment; filename*=UTF-8''%E0%A4%A", "x.csv")).toBe("x.csv");
    expect(attachmentFileName(null, "x.csv")).toBe("x.csv");
  });
});
