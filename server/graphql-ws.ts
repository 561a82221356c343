// graphql-ws (graphql-transport-ws) on the same HTTP server and path as HTTP
// GraphQL. Every operation goes through yoga.getEnveloped, so WebSocket and
// HTTP share one plugin chain: context, limits, auth and error masking.
//
// A socket authenticates once, with connection_init; its subscriptions then
// run for as long as the client wants. They must not outlive the session or
// API token that opened them: when it is revoked (logout, revokeApiToken, on
// any instance) or expires, each of the socket's streams ends with an `error`
// message (extensions.code UNAUTHENTICATED) and the socket starts no new
// operation; it stays open, so the client learns per operation and opens a
// new socket with new credentials.
import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import { type ExecutionArgs, GraphQLError } from "graphql";
import {
  CloseCode,
  handleProtocols,
  makeServer,
  type Context as ProtocolContext,
  type Server as ProtocolServer,
} from "graphql-ws";
import type { YogaServerInstance } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import { type WebSocket, WebSocketServer } from "ws";
import { authErrorMessages } from "../domain/messages.ts";
import type { Logger } from "../lib/logger.ts";

/**
 * What graphql-ws keeps per socket beside its own state. Not the upgrade
 * request: an idle socket held it (headers, raw headers, streams' state) for
 * as long as it stayed open, and only the client's address is ever read
 * from it.
 */
interface Extra {
  socket: WebSocket;
  /** The client's address, read from the upgrade request (options.clientAddress). */
  ip: string | null;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** The session or API token a socket's connection_init carried. */
export interface ConnectionCredential {
  /** Names it (services/auth.ts credentialKey); `endCredential(key)` ends it. */
  key: string;
  /** When it expires (null: never); the socket's streams end then. */
  expiresAt: Date | null;
}

/** What we keep per socket, beside graphql-ws's own state. */
interface Connection {
  /** Answered the last keep-alive ping, or sent something since. */
  alive: boolean;
  /** graphql-ws's state of this socket (its live operations), from connection_init on. */
  protocol: ProtocolContext<Record<string, unknown> | undefined, Extra> | null;
  /** The credential's key, while the socket holds one that has not ended. */
  credential: string | null;
  /** The credential ended: its streams were ended and no new operation starts. */
  ended: boolean;
  closed: boolean;
  /** Subscription streams running on this socket. */
  streams: Set<EndableStream<unknown>>;
}

/** Why a stream ended, or an operation was refused, after the socket's credential ended. */
function credentialEnded(): GraphQLError {
  return new GraphQLError(authErrorMessages.UNAUTHENTICATED, { extensions: { code: "UNAUTHENTICATED" } });
}

function tooManyOperations(max: number): GraphQLError {
  return new GraphQLError(
    `Too many operations on this WebSocket (at most ${max} at once): complete some, or open another socket.`,
    { extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: max } },
  );
}

/**
 * A subscription's stream as graphql-ws reads it. graphql-ws sends whatever a
 * stream yields, even after the operation has gone (`for await ... emit.next`
 * in its server): after a client's `complete`, the event a resolver was still
 * reading (a database read, 500 ms later) went out as a `next` for an id the
 * client had finished. Here return() makes the stream done at once, also for
 * a read already waiting, and whatever that read brings is dropped. end()
 * ends it from the server's side: the read fails with the error, which
 * graphql-ws sends as the operation's `error` message, and nothing follows.
 *
 * A class rather than closures: one lives per subscription for as long as it
 * is open, and its methods are then shared by all of them (bench/README.md,
 * "Memory per idle subscription").
 */
class EndableStream<T> implements AsyncGenerator<T, void, unknown> {
  private state: "live" | "failing" | "done" = "live";
  private failure: unknown;
  private waiting: { resolve(step: IteratorResult<T, void>): void; reject(error: unknown): void } | undefined;

  constructor(
    private readonly source: AsyncIterator<T>,
    /** The socket's running streams: the stream leaves it when it finishes. */
    private readonly streams: Set<EndableStream<unknown>>,
    /** What the client is told when the source fails (masked, coded). */
    private readonly mapError: ((error: unknown) => unknown) | undefined,
  ) {}

  private finish() {
    if (this.state === "live") this.state = "done";
    this.streams.delete(this);
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.state === "failing") {
      this.state = "done";
      return Promise.reject(this.failure);
    }
    if (this.state === "done") return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      const read = { resolve, reject };
      this.waiting = read;
      let step: Promise<IteratorResult<T>>;
      try {
        step = this.source.next();
      } catch (error) {
        step = Promise.reject(error);
      }
      step.then(
        (result) => {
          if (this.waiting !== read) return; // returned or ended meanwhile: dropped
          this.waiting = undefined;
          if (result.done) this.finish();
          resolve(result);
        },
        (error: unknown) => {
          if (this.waiting !== read) return;
          this.waiting = undefined;
          this.finish();
          reject(this.mapError ? this.mapError(error) : error);
        },
      );
    });
  }

  async return(): Promise<IteratorReturnResult<void>> {
    if (this.state !== "done") {
      this.state = "done";
      this.waiting?.resolve(DONE);
      this.waiting = undefined;
      this.streams.delete(this);
    }
    await this.source.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, void>> {
    await this.return();
    throw error;
  }

  /** Ends the stream from the server's side: its pending (or next) read fails with `error`. */
  end(error: unknown) {
    if (this.state !== "live") return;
    if (this.waiting) {
      this.state = "done";
      this.waiting.reject(error);
      this.waiting = undefined;
    } else {
      this.state = "failing";
      this.failure = error;
    }
    this.streams.delete(this);
    // The source stops listening now; its own end is of no interest to anyone.
    Promise.resolve(this.source.return?.()).catch(() => {});
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

const DONE: IteratorReturnResult<void> = { done: true, value: undefined };

/** Errors coded for HTTP (503 and Retry-After in `extensions.http`) as a WebSocket sends them: without it. */
const hasHttpExtension = (error: { extensions?: Record<string, unknown> }) =>
  error.extensions?.http !== undefined;

function forSocket<E extends { extensions?: Record<string, unknown> }>(errors: readonly E[]): E[] {
  return errors.map((error) => {
    if (!hasHttpExtension(error)) return error;
    const { http: _http, ...extensions } = error.extensions ?? {};
    return error instanceof GraphQLError
      ? (new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          extensions,
        }) as unknown as E)
      : { ...error, extensions };
  });
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/** setTimeout's longest delay (about 24.8 days); longer expiries are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Holds a socket's writes until the event loop turns, so the events a watcher
 * takes in one go leave in one system call instead of one each. In a burst
 * (a 200-line batch watched by 1,000 clients) the per-frame write was a
 * large share of the gateway's time (bench/README.md). ws exposes no
 * cork of its own; its TCP socket is `_socket`, and net's cork nests with the
 * cork ws does around each frame.
 */
function coalesceWrites(socket: WebSocket) {
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (!tcp || tcp.writableCorked > 0 || tcp.destroyed) return;
  tcp.cork();
  setImmediate(() => {
    if (tcp.writableCorked > 0) tcp.uncork();
  });
}

export function attachGraphqlWs(
  server: Server,
  // biome-ignore lint/suspicious/noExplicitAny: yoga's context generics are not needed here
  yoga: YogaServerInstance<any, any>,
  path: string,
  /**
   * Decides at connection time about the credentials in connectionParams:
   * false refuses them (4403), null means there are none (public operations
   * only), a credential is held by the socket until it ends.
   */
  acceptConnection: (
    connectionParams: Record<string, unknown> | undefined,
  ) => Promise<ConnectionCredential | null | false | "unavailable">,
  options: {
    keepAliveMs?: number;
    maxBufferedBytes?: number;
    /** The largest message a client may send; larger ones close the socket (1009) unread. */
    maxMessageBytes?: number;
    /** Operations one socket may run at once; more are refused per operation (TOO_MANY_SUBSCRIPTIONS). */
    maxOperationsPerSocket?: number;
    /** Sockets one credential may hold at once; more are closed (4429) at connection_init. */
    maxSocketsPerCredential?: number;
    /** Whether an upgrade's Origin may connect; refused ones get HTTP 403 before any frame is read. */
    acceptOrigin?: (request: IncomingMessage) => boolean;
    /** The client's address of an upgrade request (server/client-address.ts); its socket's by default. */
    clientAddress?: (request: IncomingMessage) => string | null;
    /**
     * Decides, once an operation has passed validation, whether it may run
     * (server/rate-limit.ts); errors returned refuse this operation only.
     */
    admit?: (args: ExecutionArgs) => Promise<readonly GraphQLError[] | null>;
    logger?: Logger;
    /** The clock credentials' expiries are read on (the server clock). */
    now?: () => Date;
    /**
     * What a subscription's stream that fails is answered with (yoga's error
     * masking: graphql-ws would send the raw error's message).
     */
    maskError?: (error: unknown) => unknown;
  } = {},
) {
  // ws buffers a whole message before anyone sees it (by default up to
  // 100 MiB, before connection_init): the bound is the request body's.
  const wss = new WebSocketServer({
    server,
    path,
    maxPayload: options.maxMessageBytes ?? 1024 * 1024,
    verifyClient: ({ req }, accept) => {
      if (options.acceptOrigin?.(req) ?? true) return accept(true);
      options.logger?.warn(
        { origin: req.headers.origin, host: req.headers.host, ip: req.socket.remoteAddress },
        "refused a WebSocket upgrade from another site's page (403)",
      );
      accept(false, 403, "Forbidden");
    },
  });
  const maxOperations = options.maxOperationsPerSocket ?? 200;
  const maxSockets = options.maxSocketsPerCredential ?? 20;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const now = options.now ?? (() => new Date());

  // Sockets by the credential they hold: a revocation or an expiry ends every
  // stream of every socket holding it. Ended credentials are remembered for a
  // while, so a socket that authenticated just before one ended and registers
  // just after is refused too.
  const connections = new WeakMap<WebSocket, Connection>();
  const holders = new Map<string, { connections: Set<Connection>; timer?: NodeJS.Timeout }>();
  const endedCredentials = new LRUCache<string, true>({ max: 10_000 });
  const connectionOf = (socket: WebSocket) => connections.get(socket) as Connection;
  // One listener for every socket (ws calls it on the socket), not a closure each.
  function markAlive(this: WebSocket) {
    const connection = connections.get(this);
    if (connection) connection.alive = true;
  }

  function hold(connection: Connection, credential: ConnectionCredential): boolean | "full" {
    const { key, expiresAt } = credential;
    if (connection.closed || endedCredentials.has(key)) return false;
    if (expiresAt && expiresAt.getTime() <= now().getTime()) return false;
    let holder = holders.get(key);
    if (holder && holder.connections.size >= maxSockets) return "full";
    const first = !holder;
    if (!holder) {
      holder = { connections: new Set() };
      holders.set(key, holder);
    }
    holder.connections.add(connection);
    connection.credential = key;
    // Armed once the socket is held: should it expire right now, it is ended like the others.
    if (first && expiresAt) expireAt(key, holder, expiresAt);
    return true;
  }

  // One timer per credential, not per socket or per event: no database read
  // and no clock reading per delivered event.
  function expireAt(key: string, holder: { timer?: NodeJS.Timeout }, expiresAt: Date) {
    const left = expiresAt.getTime() - now().getTime();
    if (left <= 0) {
      endCredential(key, "expired");
      return;
    }
    holder.timer = setTimeout(() => expireAt(key, holder, expiresAt), Math.min(left, MAX_TIMER_MS));
    holder.timer.unref();
  }

  function release(connection: Connection) {
    const key = connection.credential;
    connection.credential = null;
    const holder = key === null ? undefined : holders.get(key);
    if (!key || !holder) return;
    holder.connections.delete(connection);
    if (holder.connections.size > 0) return;
    clearTimeout(holder.timer);
    holders.delete(key);
  }

  /** Ends every stream of every socket holding the credential; they start nothing new. */
  function endCredential(key: string, why: "revoked" | "expired" = "revoked"): number {
    endedCredentials.set(key, true);
    const holder = holders.get(key);
    if (!holder) return 0;
    holders.delete(key);
    clearTimeout(holder.timer);
    for (const connection of holder.connections) {
      connection.ended = true;
      connection.credential = null;
      for (const stream of connection.streams) stream.end(credentialEnded());
      connection.streams.clear();
    }
    options.logger?.info(
      { sockets: holder.connections.size, why },
      "ended the subscriptions of WebSockets whose session or API token ended",
    );
    return holder.connections.size;
  }

  // Keep-alive: every interval each socket gets a WebSocket ping; one that has
  // not answered the previous ping with a pong is dead (a vanished network,
  // a suspended laptop) and is terminated, freeing its subscriptions.
  wss.on("connection", (socket) => {
    const connection: Connection = {
      alive: true,
      protocol: null,
      credential: null,
      ended: false,
      closed: false,
      streams: new Set(),
    };
    connections.set(socket, connection);
    // `on`, not `once`: ws emits close once, and once's wrapper costs every idle socket.
    socket.on("close", () => {
      connection.closed = true;
      release(connection);
    });
    socket.on("pong", markAlive);
    // Any frame from the client proves it is there, not only a pong.
    socket.on("message", markAlive);
  });
  const interval = options.keepAliveMs ?? 12_000;
  // The round is judged in the check phase, after this turn's I/O: a timer
  // that fires late (a busy event loop) runs before the poll phase, when
  // pongs that arrived meanwhile are still unread in the kernel's buffers.
  const judgeAndPing = () => {
    for (const socket of wss.clients) {
      const connection = connections.get(socket);
      if (!connection) continue;
      if (!connection.alive) {
        socket.terminate();
        continue;
      }
      connection.alive = false;
      socket.ping();
    }
  };
  const keepAlive = setInterval(() => setImmediate(judgeAndPing), interval);
  keepAlive.unref();
  const payloads = sharedPayloads();
  const queryTexts = sharedQueryTexts();
  const protocol = makeServer<Record<string, unknown> | undefined, Extra>({
    // A connection that presents credentials which do not authenticate is
    // closed with 4403 Forbidden (graphql-transport-ws); one with none may
    // still run public operations.
    onConnect: async (ctx) => {
      const connection = connectionOf(ctx.extra.socket);
      connection.protocol = ctx;
      const credential = await acceptConnection(ctx.connectionParams);
      if (credential === "unavailable") {
        // The credentials could not be read (the database is down): neither
        // accepted nor refused. 1013 (try again later) is not final for
        // graphql-ws clients, unlike 4403 or 4500: they reconnect.
        ctx.extra.socket.close(1013, "Service unavailable: try again later");
        return false;
      }
      if (credential === false) return false;
      if (credential === null) return true;
      const held = hold(connection, credential);
      if (held !== "full") return held;
      options.logger?.warn(
        { limit: maxSockets, ip: ctx.extra.ip },
        "refused a WebSocket: its session or API token holds too many (4429)",
      );
      // graphql-ws clients take 4429 as final and do not reconnect in a loop.
      ctx.extra.socket.close(
        4429,
        `Too many WebSockets for this session or API token (at most ${maxSockets})`,
      );
      return false;
    },
    // The protocol's default of 3 s is tight for a busy 2-core machine; a
    // client that never initialises is still closed (4408).
    connectionInitWaitTimeout: 10_000,
    // A client that does not read its socket makes the server buffer what
    // it cannot send. Past the limit the socket is closed with 1013 (try
    // again later); the client reconnects and resumes with afterSeq.
    onNext: (ctx, _id, _payload, _args, result) => {
      const socket = ctx.extra.socket;
      if (socket.bufferedAmount > maxBufferedBytes && socket.readyState === socket.OPEN) {
        options.logger?.warn(
          {
            bufferedBytes: socket.bufferedAmount,
            limit: maxBufferedBytes,
            ip: ctx.extra.ip,
          },
          "closing a WebSocket that does not read (1013)",
        );
        socket.close(1013, "slow consumer: resubscribe with afterSeq");
        return;
      }
      coalesceWrites(socket);
      // The result itself, not graphql-ws's copy of it: a result shared by
      // many watchers is then serialized once (sharedPayloads).
      return result.errors?.some(hasHttpExtension) ? { ...result, errors: forSocket(result.errors) } : result;
    },
    jsonMessageReplacer: payloads.replacer,
    jsonMessageReviver: queryTexts.reviver,
    onError: (_ctx, _id, _payload, errors) => (errors.some(hasHttpExtension) ? forSocket(errors) : undefined),
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
    // A stream is handed to graphql-ws wrapped: done at the client's
    // `complete` (nothing more is sent for it), ended when the socket's
    // credential ends.
    onOperation: (ctx, _id, _payload, _args, result) => {
      if (!isAsyncIterable(result)) return;
      const connection = connectionOf(ctx.extra.socket);
      const stream = new EndableStream(result[Symbol.asyncIterator](), connection.streams, options.maskError);
      if (connection.ended) stream.end(credentialEnded());
      else connection.streams.add(stream);
      return stream as AsyncGenerator<never>;
    },
    onSubscribe: async (ctx, _id, payload) => {
      // A socket whose credential ended runs nothing more with it.
      if (connectionOf(ctx.extra.socket).ended) return [credentialEnded()];
      // graphql-ws has already counted this operation in.
      if (Object.keys(ctx.subscriptions).length > maxOperations) return [tooManyOperations(maxOperations)];
      // Only what the context factory reads (server/app.ts): this object
      // becomes the operation's context and lives as long as its stream.
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ip: ctx.extra.ip,
        connectionParams: ctx.connectionParams,
      });
      // Parse and validation errors (including graphql-armor's limits, which
      // throw) belong to this operation only: report them to the client
      // instead of letting graphql-ws close the whole socket with 4500.
      try {
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        const refused = await options.admit?.(args);
        if (refused) return refused;
        return args;
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
    },
  });
  const clientAddress = options.clientAddress ?? ((request) => request.socket.remoteAddress ?? null);
  const disposable = serveOverWs(
    wss,
    protocol,
    (socket) => connectionOf(socket).protocol,
    payloads.frame,
    clientAddress,
  );
  return {
    wss,
    /** Subscription streams running now on this server's sockets (graphql_ws_subscriptions). */
    subscriptions() {
      let running = 0;
      for (const socket of wss.clients) running += connections.get(socket)?.streams.size ?? 0;
      return running;
    },
    /**
     * Ends the streams of every socket holding this session or API token
     * (services/auth.ts credentialKey), with an UNAUTHENTICATED `error` each;
     * those sockets start no new operation. Returns how many sockets held it.
     */
    endCredential: (key: string) => endCredential(key),
    /**
     * Checks every held credential again (revocations may have been missed):
     * those that no longer authenticate are ended.
     */
    async recheckCredentials() {
      await Promise.all(
        [...holders].map(async ([key, holder]) => {
          const [connection] = holder.connections;
          try {
            const credential = await acceptConnection(connection?.protocol?.connectionParams);
            // Unreadable now (the database is down) is not ended: checked again next time.
            if (credential === "unavailable") return;
            if (!credential || credential.key !== key) endCredential(key);
          } catch (error) {
            options.logger?.error({ err: error }, "could not check a WebSocket's credential again");
          }
        }),
      );
    },
    /** Closes every socket with 1001 (going away) and stops accepting new ones. */
    async close() {
      clearInterval(keepAlive);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The graphql-transport-ws protocol (graphql-ws's makeServer) on ws sockets.
 * graphql-ws ships an adapter for ws (graphql-ws/use/ws), but its send waits
 * until each frame has been flushed before the subscription may take its
 * next event: one system call per event per socket, and no chance to
 * coalesce. Here send hands the frame to ws and returns; the 1013 limit in
 * onNext bounds what a slow reader can make us hold, and coalesceWrites sends
 * what a watcher takes in one go in one write. Keep-alive is attachGraphqlWs'
 * own (the adapter's would ping every socket a second time).
 */
function serveOverWs(
  wss: WebSocketServer,
  protocol: ProtocolServer<Extra>,
  /** graphql-ws's state of a socket (its live operations), once it has one. */
  operationsOf: (socket: WebSocket) => { subscriptions: Record<string, unknown> } | null,
  /** The frame as it goes out (sharedPayloads' frame). */
  frame: (data: string) => string,
  clientAddress: (request: IncomingMessage) => string | null,
) {
  wss.options.handleProtocols = handleProtocols;
  wss.on("connection", (socket, request) => {
    // `on`, not `once` (a wrapper per socket): closing twice is harmless.
    socket.on("error", closeAfterError);
    const closed = protocol.opened(new ProtocolSocket(socket, operationsOf, frame), {
      socket,
      ip: clientAddress(request),
    });
    socket.on("close", (code, reason) => {
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
    },
  };
}

function closeAfterError(this: WebSocket) {
  this.close(CloseCode.InternalServerError, "Internal server error");
}

/** graphql-ws's view of one ws socket; a class, so that its methods are not closures per socket. */
class ProtocolSocket {
  readonly protocol: string;

  constructor(
    private readonly socket: WebSocket,
    private readonly operationsOf: (socket: WebSocket) => { subscriptions: Record<string, unknown> } | null,
    private readonly frame: (data: string) => string,
  ) {
    this.protocol = socket.protocol;
  }

  send(data: string) {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return;
    // No frame for an operation that is over (completed by the client,
    // ended by the server): graphql-ws keeps each operation in
    // `subscriptions` until after its last frame.
    const id = operationIdOf(data);
    const operations = id === null ? null : this.operationsOf(socket);
    if (operations && !((id as string) in operations.subscriptions)) return;
    socket.send(this.frame(data));
  }

  close(code?: number, reason?: string) {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>) {
    const { socket } = this;
    socket.on("message", (data) => {
      handle(String(data)).catch(() => closeAfterError.call(socket));
    });
  }
}

/**
 * One copy of each operation text, however many sockets send it. graphql-ws
 * keeps a subscription's `subscribe` message for as long as it runs; a
 * thousand watchers sending the same document held a thousand copies of it.
 * Bounded by their total length, so that clients sending ever new texts
 * cannot grow it.
 */
function sharedQueryTexts() {
  const texts = new LRUCache<string, string>({
    maxSize: 1024 * 1024,
    sizeCalculation: (text) => text.length || 1,
  });
  return {
    reviver(this: unknown, key: string, value: unknown): unknown {
      if (key !== "query" || typeof value !== "string") return value;
      const known = texts.get(value);
      if (known !== undefined) return known;
      if (value.length <= 64 * 1024) texts.set(value, value);
      return value;
    },
  };
}

/** Stands in a `next` message for its payload, serialized once (sharedPayloads). */
const PAYLOAD_MARK = "\u0000payload";
const MARKED_TAIL = `"payload":${JSON.stringify(PAYLOAD_MARK)}}`;

/**
 * One serialization per result, however many sockets it goes to. graphql-ws
 * stringifies every `next` message per socket, so a result executed once for
 * a thousand watchers (server/shared-subscriptions.ts) was stringified a
 * thousand times. Its replacer hook sees the message first: the payload is
 * serialized once per result object (kept while the result lives) and a mark
 * takes its place; `frame` splices the serialized payload back, in the same
 * synchronous step in which graphql-ws hands the message to send.
 */
function sharedPayloads() {
  const serialized = new WeakMap<object, string>();
  let message: unknown;
  let pending: string | null = null;
  return {
    replacer(this: unknown, key: string, value: unknown): unknown {
      if (key === "") message = value;
      if (key !== "payload" || this !== message || (message as { type?: unknown }).type !== "next")
        return value;
      if (typeof value !== "object" || value === null) return value;
      let json = serialized.get(value);
      if (json === undefined) {
        json = JSON.stringify(value);
        serialized.set(value, json);
      }
      pending = json;
      return PAYLOAD_MARK;
    },
    frame(data: string): string {
      if (pending === null || !data.endsWith(MARKED_TAIL)) return data;
      const json = pending;
      pending = null;
      return `${data.slice(0, -MARKED_TAIL.length)}"payload":${json}}`;
    },
  };
}

const ID_FIRST = '{"id":"';
const AFTER_ID = '","type":"';

/**
 * The operation a `next`, `error` or `complete` frame belongs to, or null for
 * other frames. graphql-ws serialises `id` first; inside a JSON string every
 * quote is escaped, so the first `","type":"` ends the id. Runs per frame in a
 * fan-out: two string scans, no parse unless the id holds an escape.
 */
export function operationIdOf(frame: string): string | null {
  if (!frame.startsWith(ID_FIRST)) return null;
  const end = frame.indexOf(AFTER_ID, ID_FIRST.length);
  if (end < 0) return null;
  const raw = frame.slice(ID_FIRST.length, end);
  return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
}
