// The carrier over HTTP: a client (CARRIER_URL) and a server that exposes any
// Carrier (the simulator) with the same small JSON protocol.
//   POST /v1/permissions            {requestId, phoneNumber, backup, phonebookMigration} → 204
//   GET  /v1/customers/:code/roster → RosterLine[]
//   POST /v1/passwords              {phoneNumbers} → {passwords: {[phoneNumber]: password}}
// Errors: {code, message}; 4xx are permanent, 5xx and network failures temporary.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { carrierMessages } from "../../domain/messages.ts";
import { type Carrier, CarrierError, type RosterLine } from "./port.ts";

const TIMEOUT_MS = 10_000;

export function createHttpCarrier(baseUrl: string): Carrier {
  const base = baseUrl.replace(/\/+$/, "");

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        ...init,
        headers: { "content-type": "application/json", ...init.headers },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new CarrierError("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true);
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    const retryable = response.status >= 500 || response.status === 429;
    throw new CarrierError(
      body.code ?? (retryable ? "CARRIER_UNAVAILABLE" : "CARRIER_REJECTED"),
      body.message ?? (retryable ? carrierMessages.CARRIER_UNAVAILABLE : carrierMessages.CARRIER_REJECTED),
      retryable,
    );
  }

  return {
    async applyPermissions(request) {
      await call("/v1/permissions", { method: "POST", body: JSON.stringify(request) });
    },
    async roster(customerCode) {
      const response = await call(`/v1/customers/${encodeURIComponent(customerCode)}/roster`);
      const lines = (await response.json()) as (Omit<RosterLine, "changedAt"> & { changedAt: string })[];
      return lines.map((line) => ({ ...line, changedAt: new Date(line.changedAt) }));
    },
    async passwords(phoneNumbers) {
      const response = await call("/v1/passwords", {
        method: "POST",
        body: JSON.stringify({ phoneNumbers }),
      });
      const { passwords } = (await response.json()) as { passwords: Record<string, string> };
      return new Map(Object.entries(passwords));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new CarrierError("BAD_REQUEST", "request too large", false);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

/** Serves a Carrier over HTTP (the simulator as its own process, or in tests). */
export function createCarrierServer(carrier: Carrier): Server {
  return createServer(async (req, res) => {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? "/", "http://carrier");
      const roster = /^\/v1\/customers\/([^/]+)\/roster$/.exec(url.pathname);
      if (req.method === "POST" && url.pathname === "/v1/permissions") {
        const body = (await readJson(req)) as Parameters<Carrier["applyPermissions"]>[0];
        await carrier.applyPermissions(body);
        res.writeHead(204).end();
      } else if (req.method === "GET" && roster?.[1]) {
        send(200, await carrier.roster(decodeURIComponent(roster[1])));
      } else if (req.method === "POST" && url.pathname === "/v1/passwords") {
        const { phoneNumbers } = (await readJson(req)) as { phoneNumbers: string[] };
        send(200, { passwords: Object.fromEntries(await carrier.passwords(phoneNumbers)) });
      } else if (req.method === "GET" && url.pathname === "/health") {
        send(200, { status: "ok" });
      } else {
        send(404, { code: "NOT_FOUND", message: "no such endpoint" });
      }
    } catch (error) {
      if (error instanceof CarrierError)
        send(error.retryable ? 503 : 422, { code: error.code, message: error.message });
      else if (error instanceof SyntaxError) send(400, { code: "BAD_REQUEST", message: "invalid JSON" });
      else send(500, { code: "CARRIER_UNAVAILABLE", message: carrierMessages.CARRIER_UNAVAILABLE });
    }
  });
}

export async function listen(server: Server, port: number, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}
