// Sessions end when nobody uses them (SESSION_IDLE_TIMEOUT_MINUTES, services/auth.ts):
// a sign-in session left unused past the timeout is refused with
// UNAUTHENTICATED like an expired one, over HTTP and WebSocket, cached or not;
// using it keeps it alive; its lastUsedAt is written at most once per
// resolution; API tokens have no idle timeout.
// Scenario: sessionScenario. The server clock is a manual clock the tests move.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../domain/auth/tokens.ts";
import { manualClock } from "../../domain/clock.ts";
import { authErrorMessages } from "../../domain/messages.ts";
import { loadConfig } from "../../server/config.ts";
import { authenticate, createActorCache, lastUsedResolutionMs } from "../../services/auth.ts";
import { sessionScenario } from "../scenarios/session.scenarios.ts";
import { type RunningApp, startScenarioApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { openRawSocket } from "../support/raw-ws.ts";

const START = new Date("2026-11-24T10:00:00+09:00");
const MINUTE = 60_000;
const clock = manualClock(START);
/** Moves the server clock on by `ms` from where it stands. */
const advance = (ms: number) => clock.set(new Date(clock.now().getTime() + ms));

const LINES = "{ lines(first: 1) { totalCount } }";
const VIEWER = "{ viewer { kind sessionIdleTimeoutSeconds administrator { loginId } } }";
const UNAUTHENTICATED = {
  message: authErrorMessages.UNAUTHENTICATED,
  extensions: { code: "UNAUTHENTICATED" },
};

let server: RunningApp;
beforeAll(async () => {
  server = await startScenarioApp(
    sessionScenario,
    // Every request reads its session (the cached path is checked on its own below).
    { SESSION_IDLE_TIMEOUT_MINUTES: "30", ACTOR_CACHE_MS: "0", CARRIER_LATENCY_MS: "0" },
    { clock },
  );
});
afterAll(() => server?.stop());

const readLines = (token: string) => graphql(server.graphqlUrl, LINES, {}, token);
const lastUsedAt = async (token: string) =>
  (
    await server.app.database.prisma.adminSession.findUniqueOrThrow({
      where: { tokenHash: hashSecret(token) },
    })
  ).lastUsedAt;

describe("SESSION_IDLE_TIMEOUT_MINUTES", () => {
  it("defaults to 30 minutes, takes fractions, 0 turns it off, and refuses what is not a duration", () => {
    expect(loadConfig({}).sessionIdleTimeoutMs).toBe(30 * MINUTE);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: "0.1" }).sessionIdleTimeoutMs).toBe(6_000);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: "0" }).sessionIdleTimeoutMs).toBe(0);
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: "-1" })).toThrow(/SESSION_IDLE_TIMEOUT_MINUTES/);
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: "soon" })).toThrow(
      /SESSION_IDLE_TIMEOUT_MINUTES/,
    );
  });

  it("judges idleness within a tenth of the timeout, writing lastUsedAt at most once a minute", () => {
    expect(lastUsedResolutionMs({ idleTimeoutMs: 30 * MINUTE })).toBe(MINUTE);
    expect(lastUsedResolutionMs({ idleTimeoutMs: 6_000 })).toBe(600);
    expect(lastUsedResolutionMs({ idleTimeoutMs: 0 })).toBe(MINUTE);
  });
});

describe("an administrator's session", () => {
  it("tells the client its idle timeout (viewer.sessionIdleTimeoutSeconds)", async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    expect((await graphql(server.graphqlUrl, VIEWER, {}, token)).data).toEqual({
      viewer: {
        kind: "ADMINISTRATOR",
        sessionIdleTimeoutSeconds: 1800,
        administrator: { loginId: "Manager@admin" },
      },
    });
  });

  it("left unused past the timeout is refused with UNAUTHENTICATED", async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    expect((await readLines(token)).data).toEqual({ lines: { totalCount: 1 } });
    advance(30 * MINUTE - 1_000);
    // Just inside the timeout: still signed in, and used again.
    expect((await readLines(token)).data).toEqual({ lines: { totalCount: 1 } });
    advance(30 * MINUTE + 1_000);
    expect(await readLines(token)).toMatchObject({ status: 200, data: null, errors: [UNAUTHENTICATED] });
    // viewer (the web client's check) is null, as for any token that no longer works.
    expect((await graphql(server.graphqlUrl, VIEWER, {}, token)).data).toEqual({ viewer: null });
    // Using it now does not revive it.
    advance(MINUTE);
    expect((await readLines(token)).errors).toMatchObject([UNAUTHENTICATED]);
    // Signing in again gives a session that works.
    const again = await loginAs(server.graphqlUrl, "Manager@admin");
    expect((await readLines(again)).data).toEqual({ lines: { totalCount: 1 } });
  });

  it("used now and then stays signed in for longer than the timeout in all", async () => {
    const token = await loginAs(server.graphqlUrl, "Substitute@admin");
    for (let step = 0; step < 4; step++) {
      advance(20 * MINUTE);
      expect((await readLines(token)).data).toEqual({ lines: { totalCount: 1 } });
    }
    // 80 minutes after sign-in, 20 since the last request.
    expect((await graphql(server.graphqlUrl, VIEWER, {}, token)).data?.viewer).not.toBeNull();
  });

  it("records its last use at most once a minute (reads do not each cost a write)", async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    await readLines(token);
    const first = clock.now();
    expect(await lastUsedAt(token)).toEqual(first);
    advance(30_000);
    await readLines(token);
    expect(await lastUsedAt(token)).toEqual(first);
    advance(31_000);
    await readLines(token);
    expect(await lastUsedAt(token)).toEqual(clock.now());
  });

  it("is refused once idle even while an instance still caches its administrator", async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    const header = `Bearer ${token}`;
    const db = server.app.database.prisma;
    const policy = { idleTimeoutMs: 30 * MINUTE };
    // A cache that would trust the actor for a minute of real time.
    const cache = createActorCache({ ttlMs: 60_000 });
    expect(await authenticate(db, clock, header, cache, policy)).toMatchObject({ loginId: "Manager@admin" });
    advance(10 * MINUTE);
    expect(await authenticate(db, clock, header, cache, policy)).toMatchObject({ loginId: "Manager@admin" });
    advance(20 * MINUTE + 1_000);
    expect(await authenticate(db, clock, header, cache, policy)).toBeNull();
  });

  it("idle, cannot open a WebSocket (4403)", async () => {
    const token = await loginAs(server.graphqlUrl, "Manager@admin");
    const socket = await openRawSocket(server.wsUrl, token);
    await socket.close();
    advance(31 * MINUTE);
    await expect(openRawSocket(server.wsUrl, token)).rejects.toThrow(/4403/);
  });
});

describe("an API token", () => {
  it("has no idle timeout (MDM tools call when they need to)", async () => {
    const manager = await loginAs(server.graphqlUrl, "Manager@admin");
    const created = await graphql(
      server.graphqlUrl,
      `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "MDM", scopes: ["READ_LINES"] } },
      manager,
    );
    const secret = created.data.createApiToken.token as string;
    expect((await readLines(secret)).data).toEqual({ lines: { totalCount: 1 } });
    advance(5 * 60 * MINUTE);
    expect((await readLines(secret)).data).toEqual({ lines: { totalCount: 1 } });
    expect((await graphql(server.graphqlUrl, VIEWER, {}, secret)).data).toEqual({
      viewer: { kind: "API_TOKEN", sessionIdleTimeoutSeconds: null, administrator: null },
    });
  });
});
