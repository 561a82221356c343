// The HTTP requests a stop lets finish. A request counts from the moment its
// headers are read (a client still sending them holds no work of ours) until
// its response closes. Streaming responses (GraphQL over SSE, incremental
// delivery) never finish by themselves: a stop ends them, and their clients
// reconnect to another instance and resume with afterSeq, as WebSocket
// clients do after 1001.
import type { IncomingMessage, ServerResponse } from "node:http";

export interface RequestDrain {
  /** Called for every request the server reads. */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** From now on responses close their connection after they are sent: clients reconnect elsewhere. */
  begin(): void;
  /** Ends every streaming response now. */
  endStreams(): void;
  /** Resolves once no request is in flight, or at `deadline` (epoch ms); answers how many were left. */
  settled(deadline: number): Promise<number>;
}

function isStreaming(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  // GraphiQL accepts multipart/mixed after JSON for every query: only a first choice streams.
  return accept.includes("text/event-stream") || accept.startsWith("multipart/mixed");
}

export function createRequestDrain(): RequestDrain {
  const inFlight = new Set<ServerResponse>();
  const streams = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  let draining = false;
  return {
    track(req, res) {
      if (draining) res.shouldKeepAlive = false;
      (isStreaming(req) ? streams : inFlight).add(res);
      res.once("close", () => {
        inFlight.delete(res);
        streams.delete(res);
        if (inFlight.size === 0) for (const wake of waiters) wake();
      });
    },
    begin() {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    },
    endStreams() {
      for (const res of streams) res.destroy();
    },
    async settled(deadline) {
      if (inFlight.size > 0) {
        let wake = () => {};
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          waiters.add(wake);
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        });
        waiters.delete(wake);
        clearTimeout(timer);
      }
      return inFlight.size;
    },
  };
}
