import { describe, expect, it } from "vitest";
import { defaultPermissions } from "../../domain/rules/defaults.ts";

describe("R1 defaults by contract date", () => {
  it("contracted on or before 2017-05-09: backup off, migration off", () => {
    expect(defaultPermissions("2017-05-09")).toEqual({ backup: false, phonebookMigration: false });
    expect(defaultPermissions("2012-01-01")).toEqual({ backup: false, phonebookMigration: false });
  });

  it("contracted on or after 2017-05-10: backup off, migration on", () => {
    expect(defaultPermissions("2017-05-10")).toEqual({ backup: false, phonebookMigration: true });
    expect(defaultPermissions("2026-11-24")).toEqual({ backup: false, phonebookMigration: true });
  });
});
