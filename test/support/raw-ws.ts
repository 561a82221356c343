// A bare graphql-transport-ws client on `ws`: it keeps every frame the server
// sends, in order, so a test can say what arrived after a given point (a
// `complete` it sent, an `error` it received), which graphql-ws's own client
// hides (it drops frames for operations it has let go).
import WebSocket from "ws";
import { type WaitOptions, waitUntil } from "./wait.ts";

export interface Frame {
  id?: string;
  type: string;
  payload?: any;
}

export interface RawSocket {
  /** Every frame received so far, in order. */
  frames: Frame[];
  /** The close code and reason once the server (or the client) has closed the socket. */
  closed: { code: number; reason: string } | null;
  /** Called with each frame as it arrives (after it is added to `frames`). */
  onFrame?: (frame: Frame) => void;
  send(frame: Frame): void;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  complete(id: string): void;
  /** Resolves with the first frame from `from` on that matches. */
  waitForFrame(match: (frame: Frame) => boolean, options?: WaitOptions & { from?: number }): Promise<Frame>;
  /**
   * Sends a ping and waits for its pong. The server answers a ping after
   * everything it sent before reading it, so the index returned marks a point
   * in `frames`: whatever the server did before it read the ping is before it.
   */
  barrier(): Promise<number>;
  close(): Promise<void>;
}

/** Opens a socket, sends connection_init with the token and waits for connection_ack. */
export async function openRawSocket(url: string, token?: string): Promise<RawSocket> {
  const socket = new WebSocket(url, "graphql-transport-ws");
  const frames: Frame[] = [];
  let closed: RawSocket["closed"] = null;
  let pings = 0;
  socket.on("message", (data) => {
    const frame = JSON.parse(String(data)) as Frame;
    frames.push(frame);
    raw.onFrame?.(frame);
  });
  socket.on("close", (code, reason) => {
    closed = { code, reason: String(reason) };
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  const send = (frame: Frame) => socket.send(JSON.stringify(frame));
  const raw: RawSocket = {
    frames,
    get closed() {
      return closed;
    },
    send,
    subscribe: (id, query, variables = {}) => send({ id, type: "subscribe", payload: { query, variables } }),
    complete: (id) => send({ id, type: "complete" }),
    async waitForFrame(match, { from = 0, ...options } = {}) {
      const find = () => {
        for (let i = from; i < frames.length; i++) if (match(frames[i] as Frame)) return frames[i];
        return undefined;
      };
      const { frame, closedWith } = await waitUntil(
        () => ({ frame: find(), closedWith: closed }),
        (read) => read.frame !== undefined || read.closedWith !== null,
        { what: "a frame", ...options },
      );
      if (!frame) throw new Error(`the socket closed (${JSON.stringify(closedWith)}) before the frame came`);
      return frame;
    },
    async barrier() {
      const marker = `barrier-${++pings}`;
      send({ type: "ping", payload: { marker } });
      await raw.waitForFrame((f) => f.type === "pong" && f.payload?.marker === marker, {
        what: "the pong",
      });
      return frames.findIndex((f) => f.type === "pong" && f.payload?.marker === marker);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once("close", () => resolve());
        socket.close(1000);
      }),
  };
  send({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} });
  await raw.waitForFrame((f) => f.type === "connection_ack", { what: "connection_ack" });
  return raw;
}
