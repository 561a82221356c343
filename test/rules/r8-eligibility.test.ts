import { describe, expect, it } from "vitest";
import { eligibility, type PortalAccount, type RosterEntry } from "../../domain/rules/eligibility.ts";

// All instants in JST (+09:00): "today" is 2026-11-24.
const now = new Date("2026-11-24T14:00:00+09:00");
const portalAccount: PortalAccount = {
  portalIdIssuedAt: new Date("2015-04-01T00:00:00+09:00"),
  lastManualRefreshAt: null,
};

function line(overrides: Partial<RosterEntry>): RosterEntry {
  return {
    contractedOn: "2020-06-01",
    changeKind: "EXISTING",
    changedAt: new Date("2020-06-01T10:00:00+09:00"),
    ...overrides,
  };
}

describe("R8 eligibility timing", () => {
  it("existing lines are always eligible", () => {
    expect(eligibility(line({}), portalAccount, now)).toEqual({ eligible: true });
  });

  it("lines with a model change or information change today are eligible from today", () => {
    const changedToday = new Date("2026-11-24T09:30:00+09:00");
    for (const changeKind of ["MODEL_CHANGE", "INFO_CHANGE"] as const) {
      expect(eligibility(line({ changeKind, changedAt: changedToday }), portalAccount, now)).toEqual({
        eligible: true,
      });
    }
  });

  describe("a line added today (new contract or MNP port-in) to an account that has its portal ID", () => {
    const addedAt = new Date("2026-11-24T11:00:00+09:00");
    const added = (changeKind: "NEW_LINE" | "MNP_PORT_IN") =>
      line({ changeKind, contractedOn: "2026-11-24", changedAt: addedAt });

    it("needs a manual refresh (手動更新) to be eligible today", () => {
      for (const changeKind of ["NEW_LINE", "MNP_PORT_IN"] as const) {
        expect(eligibility(added(changeKind), portalAccount, now)).toEqual({
          eligible: false,
          reason: "NEEDS_MANUAL_REFRESH",
          eligibleFrom: "2026-11-25",
        });
      }
    });

    it("is eligible after a manual refresh made after it was added", () => {
      const refreshed = { ...portalAccount, lastManualRefreshAt: new Date("2026-11-24T12:00:00+09:00") };
      expect(eligibility(added("NEW_LINE"), refreshed, now)).toEqual({ eligible: true });
    });

    it("is not made eligible by a manual refresh made before it was added", () => {
      const refreshedEarlier = {
        ...portalAccount,
        lastManualRefreshAt: new Date("2026-11-24T10:00:00+09:00"),
      };
      expect(eligibility(added("MNP_PORT_IN"), refreshedEarlier, now).eligible).toBe(false);
    });

    it("is eligible from the next day (automatic daily sync), just after JST midnight", () => {
      const nextDay = new Date("2026-11-25T00:00:01+09:00");
      expect(eligibility(added("NEW_LINE"), portalAccount, nextDay)).toEqual({ eligible: true });
      const lastSecondOfToday = new Date("2026-11-24T23:59:59+09:00");
      expect(eligibility(added("NEW_LINE"), portalAccount, lastSecondOfToday).eligible).toBe(false);
    });
  });

  it("a pure-new contract is eligible once its account's portal ID has been issued", () => {
    const contractAt = new Date("2026-11-24T10:00:00+09:00");
    const pureNew = line({ changeKind: "NEW_LINE", contractedOn: "2026-11-24", changedAt: contractAt });
    const noPortalYet = { portalIdIssuedAt: null, lastManualRefreshAt: null };
    expect(eligibility(pureNew, noPortalYet, now)).toEqual({
      eligible: false,
      reason: "NO_PORTAL_ID",
      eligibleFrom: null,
    });
    const issuedToday = {
      portalIdIssuedAt: new Date("2026-11-24T13:00:00+09:00"),
      lastManualRefreshAt: null,
    };
    expect(eligibility(pureNew, issuedToday, now)).toEqual({ eligible: true });
  });

  it("a line is never eligible before its contract date, even after a manual refresh", () => {
    const reserved = line({
      changeKind: "NEW_LINE",
      contractedOn: "2026-11-25",
      changedAt: new Date("2026-11-24T10:00:00+09:00"),
    });
    const refreshed = { ...portalAccount, lastManualRefreshAt: new Date("2026-11-24T13:00:00+09:00") };
    expect(eligibility(reserved, refreshed, now)).toEqual({
      eligible: false,
      reason: "BEFORE_CONTRACT_DATE",
      eligibleFrom: "2026-11-25",
    });
    expect(eligibility(reserved, refreshed, new Date("2026-11-25T00:00:00+09:00"))).toEqual({
      eligible: true,
    });
  });

  it("judges 'today' by the JST calendar, not UTC", () => {
    // 2026-11-24 23:30 UTC is already 2026-11-25 08:30 in Tokyo.
    const addedAt = new Date("2026-11-24T10:00:00+09:00");
    const added = line({ changeKind: "NEW_LINE", contractedOn: "2026-11-24", changedAt: addedAt });
    expect(eligibility(added, portalAccount, new Date("2026-11-24T23:30:00Z"))).toEqual({ eligible: true });
  });
});
