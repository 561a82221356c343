import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.ts";

describe("configuration from the environment (SPEC §6)", () => {
  it("runs fully embedded with no variables set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: undefined,
      databasePoolSize: 10,
      acceptanceHours: "09:00-23:00",
      carrierLatencyMs: { min: 200, max: 1200 },
      carrierFailureRate: 0.02,
      demoPassword: "demo-pass",
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it("reads every knob", () => {
    const config = loadConfig({
      PORT: "4100",
      DATABASE_URL: "postgresql://u@127.0.0.1:5432/db",
      DATABASE_POOL_SIZE: "40",
      ACCEPTANCE_HOURS: "08:30-22:00",
      FAKE_NOW: "2026-11-24T08:00:00+09:00",
      CARRIER_LATENCY_MS: "0",
      CARRIER_FAILURE_RATE: "0.5",
      DEMO_PASSWORD: "secret",
    });
    expect(config).toMatchObject({
      port: 4100,
      databaseUrl: "postgresql://u@127.0.0.1:5432/db",
      databasePoolSize: 40,
      acceptanceHours: "08:30-22:00",
      fakeNow: "2026-11-24T08:00:00+09:00",
      carrierLatencyMs: { min: 0, max: 0 },
      carrierFailureRate: 0.5,
      demoPassword: "secret",
    });
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" })).toMatchObject({ databaseUrl: undefined, port: 4000 });
  });

  it("stops with a message naming each bad variable", () => {
    expect(() =>
      loadConfig({ ACCEPTANCE_HOURS: "9-23", CARRIER_FAILURE_RATE: "2", FAKE_NOW: "yesterday" }),
    ).toThrow(
      /ACCEPTANCE_HOURS[\s\S]*FAKE_NOW[\s\S]*CARRIER_FAILURE_RATE|ACCEPTANCE_HOURS[\s\S]*CARRIER_FAILURE_RATE[\s\S]*FAKE_NOW/,
    );
    expect(() => loadConfig({ ACCEPTANCE_HOURS: "23:00-23:00" })).toThrow(/ACCEPTANCE_HOURS/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: "0" })).toThrow(/DATABASE_POOL_SIZE/);
  });
});
