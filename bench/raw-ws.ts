// Baseline for fan-out: a bare `ws` server that broadcasts given frames to
// every connected client, as fast as it can: each frame to all clients, then
// a turn of the event loop so the sockets can flush. No GraphQL, no database.
import { setImmediate as nextTurn } from "node:timers/promises";
import { WebSocketServer } from "ws";
import { serve } from "./ipc.ts";
import { memoryAfterGc, waitFor } from "./stats.ts";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
const address = wss.address();
const port = address && typeof address === "object" ? address.port : 0;

serve(
  {
    clients: () => wss.clients.size,
    /** Sends every frame to every client; returns each frame's send time (ms since the epoch). */
    async broadcast({ frames, clients }: { frames: string[]; clients: number }) {
      await waitFor("raw clients", () => (wss.clients.size >= clients ? true : undefined), 30_000, 20);
      const sockets = [...wss.clients];
      const sentAt: number[] = [];
      for (const frame of frames) {
        sentAt.push(Date.now());
        for (const socket of sockets) socket.send(frame);
        await nextTurn();
      }
      return sentAt;
    },
    memory: () => memoryAfterGc(),
    stop() {
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      setTimeout(() => process.exit(0), 50);
    },
  },
  { url: `ws://127.0.0.1:${port}` },
);
