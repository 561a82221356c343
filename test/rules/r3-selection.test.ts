import { describe, expect, it } from "vitest";
import { selectionErrors } from "../../domain/rules/selection.ts";

const active = (id: string) => ({ id, contractStatus: "ACTIVE", deviceKind: "SMARTPHONE" });

describe("R3 selection errors", () => {
  it("no line selected: ユーザが1件も選択されていません。", () => {
    expect(selectionErrors([])).toEqual([
      { code: "NO_LINES_SELECTED", message: "ユーザが1件も選択されていません。", lineIds: [] },
    ]);
  });

  it("200 lines are fine; 201 are too many: 選択できるユーザは200件までです。", () => {
    const lines = Array.from({ length: 201 }, (_, i) => active(`l${i}`));
    expect(selectionErrors(lines.slice(0, 200))).toEqual([]);
    expect(selectionErrors(lines)).toEqual([
      { code: "TOO_MANY_LINES", message: "選択できるユーザは200件までです。", lineIds: [] },
    ]);
  });

  it("a cancelled line among them: ご利用いただけない契約の対象者が選択されています。 naming the lines", () => {
    expect(selectionErrors([active("a"), { ...active("b"), contractStatus: "CANCELLED" }])).toEqual([
      {
        code: "CANCELLED_LINE_SELECTED",
        message: "ご利用いただけない契約の対象者が選択されています。",
        lineIds: ["b"],
      },
    ]);
  });
});
