import { describe, expect, it } from "vitest";
import { acceptanceWindow, parseAcceptanceHours } from "../../domain/rules/acceptance.ts";

const HOURS = "09:00-23:00";
const jst = (isoWithoutZone: string) => new Date(`${isoWithoutZone}+09:00`);

describe("R4 acceptance hours", () => {
  describe("parsing the ACCEPTANCE_HOURS knob (HH:MM-HH:MM)", () => {
    it("reads the default 09:00-23:00 as minutes after JST midnight", () => {
      expect(parseAcceptanceHours("09:00-23:00")).toEqual({ startMinute: 540, endMinute: 1380 });
      expect(parseAcceptanceHours(" 08:30-17:45 ")).toEqual({ startMinute: 510, endMinute: 1065 });
    });

    it("allows 24:00 as an end, and a window that wraps midnight", () => {
      expect(parseAcceptanceHours("00:00-24:00")).toEqual({ startMinute: 0, endMinute: 1440 });
      expect(parseAcceptanceHours("22:00-06:00")).toEqual({ startMinute: 1320, endMinute: 360 });
    });

    it.each([
      "",
      "9:00-23:00",
      "09:00 - 23:00",
      "09:00–23:00",
      "0900-2300",
      "09:00",
      "24:00-23:00",
      "09:60-23:00",
      "09:00-24:01",
      "09:00-25:00",
      "09:00-09:00",
      "00:00-00:00",
    ])("rejects %j with a clear error", (spec) => {
      expect(() => parseAcceptanceHours(spec)).toThrow(/Invalid acceptance hours/);
    });

    it("acceptanceWindow rejects a bad spec too", () => {
      expect(() => acceptanceWindow(jst("2026-11-24T12:00:00"), "9-23")).toThrow(/expected "HH:MM-HH:MM"/);
    });
  });

  describe("09:00-23:00 Asia/Tokyo, start inclusive, end exclusive", () => {
    const todayWindow = { opensAt: jst("2026-11-24T09:00:00"), closesAt: jst("2026-11-24T23:00:00") };
    const tomorrowWindow = { opensAt: jst("2026-11-25T09:00:00"), closesAt: jst("2026-11-25T23:00:00") };

    it("08:59:59 JST is closed; the window opens at 09:00 today", () => {
      expect(acceptanceWindow(jst("2026-11-24T08:59:59"), HOURS)).toEqual({ open: false, ...todayWindow });
      expect(acceptanceWindow(jst("2026-11-24T08:59:59.999"), HOURS).open).toBe(false);
    });

    it("09:00:00 JST is open, until 23:00 today", () => {
      expect(acceptanceWindow(jst("2026-11-24T09:00:00"), HOURS)).toEqual({ open: true, ...todayWindow });
    });

    it("22:59:59 JST is still open", () => {
      expect(acceptanceWindow(jst("2026-11-24T22:59:59"), HOURS)).toEqual({ open: true, ...todayWindow });
      expect(acceptanceWindow(jst("2026-11-24T22:59:59.999"), HOURS).open).toBe(true);
    });

    it("23:00:00 JST is closed; the next window is tomorrow 09:00-23:00", () => {
      expect(acceptanceWindow(jst("2026-11-24T23:00:00"), HOURS)).toEqual({ open: false, ...tomorrowWindow });
    });

    it("just after JST midnight is closed, with today's window ahead", () => {
      expect(acceptanceWindow(jst("2026-11-25T00:00:00"), HOURS)).toEqual({ open: false, ...tomorrowWindow });
    });

    it("returns instants: 09:00 JST is 00:00 UTC", () => {
      const { opensAt, closesAt } = acceptanceWindow(jst("2026-11-24T12:00:00"), HOURS);
      expect(opensAt.toISOString()).toBe("2026-11-24T00:00:00.000Z");
      expect(closesAt.toISOString()).toBe("2026-11-24T14:00:00.000Z");
    });
  });

  describe("judges by the JST clock and calendar, not UTC", () => {
    it("23:30 UTC is already 08:30 the next day in Tokyo: closed, opening that JST morning", () => {
      expect(acceptanceWindow(new Date("2026-11-24T23:30:00Z"), HOURS)).toEqual({
        open: false,
        opensAt: new Date("2026-11-25T00:00:00Z"),
        closesAt: new Date("2026-11-25T14:00:00Z"),
      });
    });

    it("00:00 UTC is 09:00 JST: open", () => {
      expect(acceptanceWindow(new Date("2026-11-25T00:00:00Z"), HOURS)).toEqual({
        open: true,
        opensAt: new Date("2026-11-25T00:00:00Z"),
        closesAt: new Date("2026-11-25T14:00:00Z"),
      });
    });

    it("14:00 UTC is 23:00 JST: closed although it is mid-afternoon in UTC", () => {
      expect(acceptanceWindow(new Date("2026-11-24T13:59:59Z"), HOURS).open).toBe(true);
      expect(acceptanceWindow(new Date("2026-11-24T14:00:00Z"), HOURS)).toEqual({
        open: false,
        opensAt: new Date("2026-11-25T00:00:00Z"),
        closesAt: new Date("2026-11-25T14:00:00Z"),
      });
    });

    it("rolls over month and year ends in JST", () => {
      expect(acceptanceWindow(jst("2026-12-31T23:30:00"), HOURS)).toEqual({
        open: false,
        opensAt: jst("2027-01-01T09:00:00"),
        closesAt: jst("2027-01-01T23:00:00"),
      });
    });
  });

  describe("a window that wraps midnight (22:00-06:00)", () => {
    const WRAP = "22:00-06:00";
    const night24 = { opensAt: jst("2026-11-24T22:00:00"), closesAt: jst("2026-11-25T06:00:00") };
    const night25 = { opensAt: jst("2026-11-25T22:00:00"), closesAt: jst("2026-11-26T06:00:00") };

    it("opens at 22:00:00 (not 21:59:59) and runs until 06:00 the next morning", () => {
      expect(acceptanceWindow(jst("2026-11-24T21:59:59"), WRAP)).toEqual({ open: false, ...night24 });
      expect(acceptanceWindow(jst("2026-11-24T22:00:00"), WRAP)).toEqual({ open: true, ...night24 });
      expect(acceptanceWindow(jst("2026-11-24T23:59:59"), WRAP)).toEqual({ open: true, ...night24 });
    });

    it("after midnight it is still the window that opened the previous evening", () => {
      expect(acceptanceWindow(jst("2026-11-25T00:00:00"), WRAP)).toEqual({ open: true, ...night24 });
      expect(acceptanceWindow(jst("2026-11-25T05:59:59"), WRAP)).toEqual({ open: true, ...night24 });
    });

    it("closes at 06:00:00; the next window is that evening", () => {
      expect(acceptanceWindow(jst("2026-11-25T06:00:00"), WRAP)).toEqual({ open: false, ...night25 });
      expect(acceptanceWindow(jst("2026-11-25T12:00:00"), WRAP)).toEqual({ open: false, ...night25 });
    });
  });

  it("22:00-24:00 closes at JST midnight", () => {
    expect(acceptanceWindow(jst("2026-11-24T23:59:59"), "22:00-24:00")).toEqual({
      open: true,
      opensAt: jst("2026-11-24T22:00:00"),
      closesAt: jst("2026-11-25T00:00:00"),
    });
    expect(acceptanceWindow(jst("2026-11-25T00:00:00"), "22:00-24:00").open).toBe(false);
  });

  it("00:00-24:00 is open all day, window by window", () => {
    for (const time of ["00:00:00", "12:00:00", "23:59:59"]) {
      expect(acceptanceWindow(jst(`2026-11-24T${time}`), "00:00-24:00")).toEqual({
        open: true,
        opensAt: jst("2026-11-24T00:00:00"),
        closesAt: jst("2026-11-25T00:00:00"),
      });
    }
  });
});
