// graphql-ws (graphql-transport-ws) on the same HTTP server and path as HTTP
// GraphQL. Every operation goes through yoga.getEnveloped, so WebSocket and
// HTTP share one plugin chain: context, limits, auth and error masking.
import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import { type ExecutionArgs, GraphQLError } from "graphql";
import { CloseCode, handleProtocols, makeServer, type Server as ProtocolServer } from "graphql-ws";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "./logger.ts";

interface Extra {
  socket: WebSocket;
  request: IncomingMessage;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * Holds a socket's writes until the event loop turns, so the events a watcher
 * takes in one go leave in one system call instead of one each. In a burst
 * (a 200-line batch watched by 1,000 clients) the per-frame write was a
 * quarter of the gateway's time (npm run bench, CPU profile). ws exposes no
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
  /** Decides at connection time whether credentials in connectionParams are acceptable. */
  acceptConnection: (connectionParams: Record<string, unknown> | undefined) => Promise<boolean>,
  options: { keepAliveMs?: number; maxBufferedBytes?: number; logger?: Logger } = {},
) {
  const wss = new WebSocketServer({ server, path });
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;

  // Keep-alive: every interval each socket gets a WebSocket ping; one that has
  // not answered the previous ping with a pong is dead (a vanished network,
  // a suspended laptop) and is terminated, freeing its subscriptions.
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on("connection", (socket) => {
    alive.set(socket, true);
    socket.on("pong", () => alive.set(socket, true));
    // Any frame from the client proves it is there, not only a pong.
    socket.on("message", () => alive.set(socket, true));
  });
  const interval = options.keepAliveMs ?? 12_000;
  // The round is judged in the check phase, after this turn's I/O: a timer
  // that fires late (a busy event loop) runs before the poll phase, when
  // pongs that arrived meanwhile are still unread in the kernel's buffers.
  const judgeAndPing = () => {
    for (const socket of wss.clients) {
      if (!alive.get(socket)) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  };
  const keepAlive = setInterval(() => setImmediate(judgeAndPing), interval);
  keepAlive.unref();
  const protocol = makeServer<Record<string, unknown> | undefined, Extra>({
    // A connection that presents credentials which do not authenticate is
    // closed with 4403 Forbidden (graphql-transport-ws); one with none may
    // still run public operations.
    onConnect: (ctx) => acceptConnection(ctx.connectionParams),
    // The protocol's default of 3 s is tight for a busy 2-core machine; a
    // client that never initialises is still closed (4408).
    connectionInitWaitTimeout: 10_000,
    // A client that does not read its socket makes the server buffer what
    // it cannot send. Past the limit the socket is closed with 1013 (try
    // again later); the client reconnects and resumes with afterSeq.
    onNext: (ctx) => {
      const socket = ctx.extra.socket;
      if (socket.bufferedAmount > maxBufferedBytes && socket.readyState === socket.OPEN) {
        options.logger?.warn(
          {
            bufferedBytes: socket.bufferedAmount,
            limit: maxBufferedBytes,
            ip: ctx.extra.request.socket.remoteAddress,
          },
          "closing a WebSocket that does not read (1013)",
        );
        socket.close(1013, "slow consumer: resubscribe with afterSeq");
        return;
      }
      coalesceWrites(socket);
    },
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
    onSubscribe: async (ctx, _id, payload) => {
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params: payload,
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
        return args;
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
    },
  });
  const disposable = serveOverWs(wss, protocol);
  return {
    wss,
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
function serveOverWs(wss: WebSocketServer, protocol: ProtocolServer<Extra>) {
  wss.options.handleProtocols = handleProtocols;
  wss.on("connection", (socket, request) => {
    const fail = () => socket.close(CloseCode.InternalServerError, "Internal server error");
    socket.once("error", fail);
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          if (socket.readyState === socket.OPEN) socket.send(data);
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", (data) => {
            handle(String(data)).catch(fail);
          }),
      },
      { socket, request },
    );
    socket.once("close", (code, reason) => {
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
    },
  };
}
