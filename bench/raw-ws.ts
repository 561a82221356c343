// Baseline for fan-out: a bare `ws` server that broadcasts given frames to
// every connected client, as fast as it can: each frame to all clients, then
// a turn of the event loop so the sockets can flush; or on a given schedule.
// No GraphQL, no database.
import { setImmediate as nextTurn } from "node:timers/promises";
import { WebSocketServer } from "ws";
import { serve } from "./ipc.ts";
import { memoryAfterGc, sleep, waitFor } from "./stats.ts";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
const address = wss.address();
const port = address && typeof address === "object" ? address.port : 0;

serve(
  {
    clients: () => wss.clients.size,
    /**
     * Sends every frame to every client. Without `offsets`, as fast as it can;
     * with them, frame k is not sent before `offsets[k]` ms after the start
     * (the gateway's publish schedule, replayed). Returns, per frame, the time
     * it was due (ms since the epoch): its send time when unpaced.
     */
    async broadcast({ frames, clients, offsets }: { frames: string[]; clients: number; offsets?: number[] }) {
      await waitFor("raw clients", () => (wss.clients.size >= clients ? true : undefined), 30_000, 20);
      const sockets = [...wss.clients];
      const dueAt: number[] = [];
      const start = Date.now();
      for (let k = 0; k < frames.length; k++) {
        const due = offsets ? start + (offsets[k] ?? 0) : Date.now();
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        dueAt.push(due);
        for (const socket of sockets) socket.send(frames[k] as string);
        await nextTurn();
      }
      return dueAt;
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
