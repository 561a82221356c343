// Rate limits (issue 14 point 4): every session, API token and, without
// credentials, client address has a budget of query cost per window. Each
// operation costs what graphql-armor's cost limit computes; every answer says
// what it cost and what is left (extensions.rateLimit, RateLimit-* headers);
// an operation that does not fit is refused with RATE_LIMITED, 429 and
// Retry-After, costs nothing, and leaves every other budget alone.
import http from "node:http";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { schema } from "../../schema/index.ts";
import { armorLimits, buildApp } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { operationCost } from "../../server/rate-limit.ts";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { createTestDatabase } from "../support/database.ts";
import { activeLineIds, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { openRawSocket } from "../support/raw-ws.ts";
import { waitUntil } from "../support/wait.ts";

const POINTS = 200;
const WINDOW_S = 600;

/** 10 × (an object, 2, + 1.5 × one scalar): 35 points. */
const TEN_LINES = "{ lines(first: 10) { totalCount } }";
/** One scalar: 1 point. */
const SERVER_TIME = "{ serverTime }";
/** graphql-armor does not count introspection: 0 points. */
const INTROSPECTION = "{ __schema { queryType { name } } }";
/** An object with two scalars: 2 + 1.5 × 2 = 5 points, once, however many events follow. */
const PROGRESS = "subscription ($id: ID!) { receiptProgress(receiptId: $id, afterSeq: 0) { seq status } }";

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: any;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: { rateLimit?: { cost: number; limit: number; remaining: number; resetAt: string } };
  };
}

async function post(url: string, query: string, token?: string, variables: object = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const remainingOf = (answer: Answer) => answer.body.extensions?.rateLimit?.remaining;

/** An anonymous POST from another loopback address (another client, as far as the server knows). */
function postFrom(localAddress: string, url: string, query: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: new Headers(response.headers as Record<string, string>),
            body: JSON.parse(text),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify({ query }));
  });
}

let server: RunningApp;
let manager: string;

async function createToken(name: string, scopes: string[]): Promise<string> {
  const answer = await post(
    server.graphqlUrl,
    "mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
    manager,
    { input: { name, scopes } },
  );
  return answer.body.data.createApiToken.token;
}

beforeAll(async () => {
  server = await startTestApp({
    RATE_LIMIT_POINTS: String(POINTS),
    RATE_LIMIT_WINDOW_S: String(WINDOW_S),
    FAKE_NOW: "2026-11-24T10:00:00+09:00",
    CARRIER_LATENCY_MS: "2-10",
    CARRIER_FAILURE_RATE: "0",
  });
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
});
afterAll(() => server.stop());

describe("query-cost budgets", () => {
  it("an operation costs what graphql-armor's cost limit computes for it", async () => {
    // Past armor's 20,000, armor names the cost it found: the budget uses the same figure.
    const page = "lines(first: 200) { edges { node { name phoneNumber group { name memberCount } } } }";
    const heavy = `{ a: ${page} b: ${page} c: ${page} d: ${page} }`;
    const refused = await post(server.graphqlUrl, heavy, manager);
    expect(refused.body.errors?.map((e) => e.message)).toEqual([
      "Syntax Error: Query Cost limit of 20000 exceeded, found 26500.",
    ]);
    expect(operationCost(schema, parse(heavy), undefined, armorLimits.costLimit)).toBe(26_500);
    expect(operationCost(schema, parse(TEN_LINES), undefined, armorLimits.costLimit)).toBe(35);
    // Refused by validation, it never ran: nothing charged, nothing reported.
    expect(refused.body.extensions).toBeUndefined();
    expect(refused.headers.get("ratelimit-remaining")).toBeNull();
  });

  it("a token's answers count its budget down by each operation's cost, in extensions and headers", async () => {
    const token = await createToken("MDM budget", ["READ_LINES"]);
    const first = await post(server.graphqlUrl, `{ serverTime ${TEN_LINES.slice(1, -1)} }`, token);
    expect(first.status).toBe(200);
    const rateLimit = first.body.extensions?.rateLimit;
    expect(rateLimit).toEqual({
      cost: 36,
      limit: POINTS,
      remaining: POINTS - 36,
      resetAt: expect.any(String),
    });
    // The window started with this operation: it ends one window after the server's time.
    const untilReset = Date.parse(rateLimit!.resetAt) - Date.parse(first.body.data.serverTime);
    expect(untilReset).toBeGreaterThan((WINDOW_S - 30) * 1000);
    expect(untilReset).toBeLessThanOrEqual(WINDOW_S * 1000);
    expect(first.headers.get("ratelimit-limit")).toBe(String(POINTS));
    expect(first.headers.get("ratelimit-remaining")).toBe(String(POINTS - 36));
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThan(WINDOW_S - 30);
    expect(Number(first.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(WINDOW_S);
    expect(first.headers.get("ratelimit-policy")).toBe(`${POINTS};w=${WINDOW_S}`);

    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await post(server.graphqlUrl, TEN_LINES, token);
      expect(answer.body.extensions?.rateLimit?.cost).toBe(35);
      seen.push(remainingOf(answer)!);
      expect(answer.headers.get("ratelimit-remaining")).toBe(String(remainingOf(answer)));
    }
    expect(seen).toEqual([129, 94, 59, 24]);

    // 35 do not fit in 24: refused, nothing runs, nothing is charged.
    const refused = await post(server.graphqlUrl, TEN_LINES, token);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(WINDOW_S - 60);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      {
        message: `Rate limit exceeded: retry in ${retryAfter} s.`,
        extensions: { code: "RATE_LIMITED", retryAfter },
      },
    ]);
    expect(refused.body.extensions?.rateLimit).toEqual({
      cost: 35,
      limit: POINTS,
      remaining: 24,
      resetAt: expect.any(String),
    });
    expect(refused.headers.get("ratelimit-remaining")).toBe("24");

    // What is left still buys a smaller operation; introspection is free, even now.
    expect(remainingOf(await post(server.graphqlUrl, SERVER_TIME, token))).toBe(23);
    const introspection = await post(server.graphqlUrl, INTROSPECTION, token);
    expect(introspection.status).toBe(200);
    expect(introspection.body.data.__schema.queryType.name).toBe("Query");
    expect(introspection.body.extensions?.rateLimit).toMatchObject({ cost: 0, remaining: 23 });

    // Other tokens and sessions have budgets of their own.
    const other = await createToken("MDM other", ["READ_LINES"]);
    expect(remainingOf(await post(server.graphqlUrl, TEN_LINES, other))).toBe(POINTS - 35);
    const substitute = await loginAs(server.graphqlUrl, "Substitute@admin");
    expect(remainingOf(await post(server.graphqlUrl, TEN_LINES, substitute))).toBe(POINTS - 35);
    // The spent token stays refused.
    expect((await post(server.graphqlUrl, TEN_LINES, token)).status).toBe(429);
  });

  it("GET requests and the first event of a subscription over SSE report the budget too", async () => {
    const token = await createToken("MDM get", ["READ_LINES", "READ_RECEIPTS"]);
    const get = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent(TEN_LINES)}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json", "x-graphql-yoga-csrf": "1" },
    });
    expect(get.headers.get("ratelimit-remaining")).toBe(String(POINTS - 35));
    expect(((await get.json()) as Answer["body"]).extensions?.rateLimit).toMatchObject({
      cost: 35,
      remaining: POINTS - 35,
    });

    const [lineId] = await activeLineIds(server.graphqlUrl, manager, 1);
    const receipt = await submitPermissionChange(server.graphqlUrl, manager, [lineId!]);
    const sse = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: PROGRESS, variables: { id: receipt.id } }),
    });
    expect(sse.headers.get("ratelimit-remaining")).toBe(String(POINTS - 35 - 5));
    const payloads = (await sse.text())
      .split("\n\n")
      .flatMap((block) => block.split("\n").filter((line) => line.startsWith("data:") && line.length > 5))
      .map((line) => JSON.parse(line.slice(5)))
      .filter((payload) => payload.data);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads[0].extensions.rateLimit).toMatchObject({ cost: 5, remaining: POINTS - 35 - 5 });
    expect(payloads.slice(1).map((payload) => payload.extensions?.rateLimit)).toEqual(
      payloads.slice(1).map(() => undefined),
    );
    // Charged once, at subscribe time, whatever number of events followed.
    expect(remainingOf(await post(server.graphqlUrl, SERVER_TIME, token))).toBe(POINTS - 35 - 5 - 1);
  });

  it("over WebSocket each operation reports its budget, and one past it gets an error of its own", async () => {
    const token = await createToken("MDM socket", ["READ_LINES", "READ_RECEIPTS"]);
    const socket = await openRawSocket(server.wsUrl, token);
    try {
      const run = async (id: string, query: string, variables: object = {}) => {
        socket.subscribe(id, query, variables as Record<string, unknown>);
        await socket.waitForFrame((f) => f.id === id && (f.type === "complete" || f.type === "error"));
        return socket.frames.filter((f) => f.id === id);
      };
      const remaining: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const [next] = await run(`q${i}`, TEN_LINES);
        expect(next?.type).toBe("next");
        expect(next?.payload.extensions.rateLimit.cost).toBe(35);
        remaining.push(next?.payload.extensions.rateLimit.remaining);
      }
      expect(remaining).toEqual([165, 130, 95, 60, 25]);

      const refused = await run("q6", TEN_LINES);
      expect(refused).toEqual([
        {
          id: "q6",
          type: "error",
          payload: [
            {
              message: expect.stringMatching(/^Rate limit exceeded: retry in \d+ s\.$/),
              extensions: { code: "RATE_LIMITED", retryAfter: expect.any(Number) },
            },
          ],
        },
      ]);
      const retryAfter = refused[0]!.payload[0].extensions.retryAfter;
      expect(refused[0]!.payload[0].message).toBe(`Rate limit exceeded: retry in ${retryAfter} s.`);

      // The socket stays open: a subscription that fits still runs, its first event carries the budget.
      const [lineId] = await activeLineIds(server.graphqlUrl, manager, 1);
      const receipt = await submitPermissionChange(server.graphqlUrl, manager, [lineId!]);
      const events = await run("s1", PROGRESS, { id: receipt.id });
      expect(socket.closed).toBeNull();
      expect(events.at(-1)?.type).toBe("complete");
      const nexts = events.filter((f) => f.type === "next");
      expect(nexts.length).toBeGreaterThan(1);
      expect(nexts[0]?.payload.extensions.rateLimit).toMatchObject({ cost: 5, remaining: 20 });
      expect(nexts.slice(1).filter((f) => f.payload.extensions?.rateLimit)).toEqual([]);
      const [last] = await run("q7", SERVER_TIME);
      expect(last?.payload.extensions.rateLimit).toMatchObject({ cost: 1, remaining: 19 });
    } finally {
      await socket.close();
    }
  });

  it("operations without credentials draw on their client address's budget", async () => {
    const from2 = await postFrom("127.0.0.2", server.graphqlUrl, SERVER_TIME);
    const again2 = await postFrom("127.0.0.2", server.graphqlUrl, SERVER_TIME);
    const from3 = await postFrom("127.0.0.3", server.graphqlUrl, SERVER_TIME);
    expect([remainingOf(from2), remainingOf(again2), remainingOf(from3)]).toEqual([
      POINTS - 1,
      POINTS - 2,
      POINTS - 1,
    ]);
  });
});

describe("the window", () => {
  let short: RunningApp;
  beforeAll(async () => {
    short = await startTestApp({ RATE_LIMIT_POINTS: "40", RATE_LIMIT_WINDOW_S: "2" });
  });
  afterAll(() => short.stop());

  it("gives the whole budget back when it ends", async () => {
    const token = await loginAs(short.graphqlUrl, "Manager@admin");
    // 35 of 40 fit once per window: the second in a window is refused, until the window ends.
    const refused = await waitUntil(
      () => post(short.graphqlUrl, TEN_LINES, token),
      (answer) => answer.status === 429,
      { intervalMs: 0, what: "a refusal" },
    );
    expect(refused.body.extensions?.rateLimit?.remaining).toBe(5);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(2);
    await expect
      .poll(async () => remainingOf(await post(short.graphqlUrl, TEN_LINES, token)), { timeout: 30_000 })
      .toBe(5);
  });
});

describe("RATE_LIMIT_POINTS=0", () => {
  it("turns budgets off: no extensions, no headers, nothing refused", async () => {
    const off = await startTestApp({ RATE_LIMIT_POINTS: "0" });
    try {
      const token = await loginAs(off.graphqlUrl, "Manager@admin");
      const answer = await post(off.graphqlUrl, TEN_LINES, token);
      expect(answer.status).toBe(200);
      expect(answer.body.extensions).toBeUndefined();
      expect(answer.headers.get("ratelimit-limit")).toBeNull();
    } finally {
      await off.stop();
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL;

describe.skipIf(!redisUrl)("budgets in Redis", () => {
  it("are shared by every instance: a session spends one budget wherever its operations land", async () => {
    const database = await createTestDatabase({ migrate: false });
    const config = loadConfig({
      REDIS_URL: redisUrl!,
      RATE_LIMIT_POINTS: "1000000",
      RATE_LIMIT_WINDOW_S: String(WINDOW_S),
      LOG_LEVEL: "warn",
    });
    const logger = createLogger("silent");
    const a = await buildApp({ config, logger, database, startWorker: false });
    // One database for both (the other closes it).
    const b = await buildApp({
      config,
      logger,
      database: { ...database, close: async () => {} },
      startWorker: false,
    });
    try {
      const [onA, onB] = [await a.start(0, "127.0.0.1"), await b.start(0, "127.0.0.1")];
      const token = await loginAs(`${onA.url}/graphql`, "Manager@admin");
      // Both instances count in Redis once connected; until then each counts in memory.
      await expect
        .poll(async () => {
          const before = remainingOf(await post(`${onA.url}/graphql`, TEN_LINES, token))!;
          const after = remainingOf(await post(`${onB.url}/graphql`, TEN_LINES, token))!;
          return before - after;
        })
        .toBe(35);
      const onAnswer = remainingOf(await post(`${onA.url}/graphql`, TEN_LINES, token))!;
      const onBAnswer = remainingOf(await post(`${onB.url}/graphql`, TEN_LINES, token))!;
      expect(onAnswer - onBAnswer).toBe(35);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
