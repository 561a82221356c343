// Issue 14.1–14.2: a WebSocket holds a bounded number of operations, a
// session or API token a bounded number of sockets, a message a bounded
// number of bytes (even before connection_init), and a lineStatusChanged
// event costs one read however many watch it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, graphql, loginAs, submitPermissionChange } from "../support/graphql.ts";
import { openRawSocket, type RawSocket } from "../support/raw-ws.ts";
import { waitUntil } from "../support/wait.ts";

const WATCH_LINE =
  "subscription ($ids: [ID!]) { lineStatusChanged(lineIds: $ids) { id status version group { name } } }";
const OPERATIONS_PER_SOCKET = 150;
const SOCKETS_PER_CREDENTIAL = 3;

/** The lineStatusChanged read: the changed lines of one event. */
const isChangedLinesRead = (sql: string) =>
  /FROM "public"\."Line" WHERE .*"accountId" = \$1 AND .*"id" IN/.test(sql);

let server: RunningApp;
let manager: string;
let groupAdmin: string;
const statements: string[] = [];

beforeAll(async () => {
  server = await startTestApp(
    {
      FAKE_NOW: "2026-11-24T10:00:00+09:00",
      CARRIER_LATENCY_MS: "20",
      CARRIER_FAILURE_RATE: "0",
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: String(OPERATIONS_PER_SOCKET),
      WS_MAX_SOCKETS_PER_CREDENTIAL: String(SOCKETS_PER_CREDENTIAL),
    },
    { onQuery: (sql) => statements.push(sql) },
  );
  manager = await loginAs(server.graphqlUrl, "Manager@admin");
  groupAdmin = await loginAs(server.graphqlUrl, "GroupA@admin");
});
afterAll(() => server.stop());

const subscriptions = (count: number) =>
  waitUntil(
    () => server.app.realtime.subscribers("lines:changed"),
    (n) => n === count,
    { what: `${count} lineStatusChanged subscriptions on the server` },
  );

describe("operations per WebSocket", () => {
  it(`past ${OPERATIONS_PER_SOCKET} at once, each further one is refused with TOO_MANY_SUBSCRIPTIONS; the socket stays`, async () => {
    const socket = await openRawSocket(server.wsUrl, groupAdmin);
    try {
      for (let i = 0; i < OPERATIONS_PER_SOCKET + 2; i++) socket.subscribe(`s${i}`, WATCH_LINE, {});
      await subscriptions(OPERATIONS_PER_SOCKET);
      const refused = await socket.waitForFrame((f) => f.type === "error");
      expect(refused.payload).toEqual([
        {
          message: `Too many operations on this WebSocket (at most ${OPERATIONS_PER_SOCKET} at once): complete some, or open another socket.`,
          extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: OPERATIONS_PER_SOCKET },
        },
      ]);
      await socket.barrier();
      expect(socket.frames.filter((f) => f.type === "error").map((f) => f.id)).toEqual([
        `s${OPERATIONS_PER_SOCKET}`,
        `s${OPERATIONS_PER_SOCKET + 1}`,
      ]);
      // One finished: there is room for one more.
      socket.complete("s0");
      await subscriptions(OPERATIONS_PER_SOCKET - 1);
      socket.subscribe("again", WATCH_LINE, {});
      await subscriptions(OPERATIONS_PER_SOCKET);
      expect(socket.closed).toBeNull();
    } finally {
      await socket.close();
      await subscriptions(0);
    }
  });

  it("a full socket's watchers cost one read per event, not one per watcher", async () => {
    const [lineId] = await activeLineIds(server.graphqlUrl, manager, 1);
    const socket = await openRawSocket(server.wsUrl, manager);
    try {
      for (let i = 0; i < OPERATIONS_PER_SOCKET; i++)
        socket.subscribe(`w${i}`, WATCH_LINE, { ids: [lineId] });
      await subscriptions(OPERATIONS_PER_SOCKET);
      const before = statements.length;
      await submitPermissionChange(server.graphqlUrl, manager, [lineId as string], {
        backup: false,
        phonebookMigration: true,
      });
      // Every watcher sees the line go PROCESSING and come back IN_SERVICE.
      await waitUntil(
        () =>
          socket.frames.filter(
            (f) => f.type === "next" && f.payload?.data?.lineStatusChanged?.status === "IN_SERVICE",
          ).length,
        (n) => n === OPERATIONS_PER_SOCKET,
        { what: "the IN_SERVICE event on every watcher" },
      );
      const next = socket.frames.filter((f) => f.type === "next");
      expect(next).toHaveLength(2 * OPERATIONS_PER_SOCKET);
      const reads = statements.slice(before).filter(isChangedLinesRead);
      // Two events (PROCESSING, then IN_SERVICE): two reads for 150 watchers.
      expect(reads).toHaveLength(2);
    } finally {
      await socket.close();
      await subscriptions(0);
    }
  });
});

describe("WebSockets per session or API token", () => {
  it(`past ${SOCKETS_PER_CREDENTIAL}, a further socket is closed with 4429; another session is unaffected`, async () => {
    const sockets: RawSocket[] = [];
    try {
      for (let i = 0; i < SOCKETS_PER_CREDENTIAL; i++)
        sockets.push(await openRawSocket(server.wsUrl, groupAdmin));
      await expect(openRawSocket(server.wsUrl, groupAdmin)).rejects.toThrow(
        `the socket closed ({"code":4429,"reason":"Too many WebSockets for this session or API token (at most ${SOCKETS_PER_CREDENTIAL})"})`,
      );
      // The same administrator signed in again holds a session of its own.
      const second = await loginAs(server.graphqlUrl, "GroupA@admin");
      sockets.push(await openRawSocket(server.wsUrl, second));
      // One closed: the session may open one again.
      await sockets.shift()?.close();
      sockets.push(
        await waitUntil(
          () => openRawSocket(server.wsUrl, groupAdmin).catch(() => null),
          (socket) => socket !== null,
          { what: "a socket once one was closed" },
        ).then((socket) => socket as RawSocket),
      );
    } finally {
      for (const socket of sockets) await socket.close();
    }
  });
});

describe("message size", () => {
  it("a message past MAX_REQUEST_BYTES, sent before connection_init, closes the socket with 1009 unread", async () => {
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send("x".repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    // The server is as it was.
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it("a request body past MAX_REQUEST_BYTES is refused with 413 and a coded error", async () => {
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { kind } }", variables: { pad: "x".repeat(2 * 1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: "REQUEST_ENTITY_TOO_LARGE" } }],
    });
  });
});

describe("what the group administrator may not see stays unseen on a shared read", () => {
  it("a line outside GroupA's groups changes: GroupA's watcher hears nothing, Manager's hears it", async () => {
    const all = await graphql<any>(
      server.graphqlUrl,
      "{ lines(first: 200, filter: {contractStatus: ACTIVE, outOfService: false}) { edges { node { id group { name } } } } }",
      {},
      manager,
    );
    const visibleToGroup = await graphql<any>(
      server.graphqlUrl,
      "{ lines(first: 200) { edges { node { id } } } }",
      {},
      groupAdmin,
    );
    const groupIds = new Set(visibleToGroup.data.lines.edges.map((e: any) => e.node.id));
    const outside = all.data.lines.edges.map((e: any) => e.node.id).find((id: string) => !groupIds.has(id));
    expect(outside).toBeTruthy();
    const watcherOfGroup = await openRawSocket(server.wsUrl, groupAdmin);
    const watcherOfAll = await openRawSocket(server.wsUrl, manager);
    try {
      watcherOfGroup.subscribe("g", WATCH_LINE, {});
      watcherOfAll.subscribe("m", WATCH_LINE, {});
      await subscriptions(2);
      await submitPermissionChange(server.graphqlUrl, manager, [outside]);
      await watcherOfAll.waitForFrame(
        (f) => f.type === "next" && f.payload?.data?.lineStatusChanged?.status === "IN_SERVICE",
      );
      await watcherOfGroup.barrier();
      expect(watcherOfGroup.frames.filter((f) => f.type === "next")).toEqual([]);
    } finally {
      await watcherOfGroup.close();
      await watcherOfAll.close();
      await subscriptions(0);
    }
  });
});
