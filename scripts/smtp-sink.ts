// The mail server of npm run cluster: accepts every message over SMTP, keeps
// one line per message in SMTP_SINK_DIR/messages.jsonl (kept across restarts,
// so a fault test counts what arrived before and after an outage) and lists
// them as JSON at http://SMTP_SINK_HOST:SMTP_SINK_HTTP_PORT/messages, as
// Mailpit's API does in compose.yaml. A development tool: smtp-server and
// mailparser are devDependencies, which the production image leaves out.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { z } from "zod";
import { readEnvironment } from "../server/config.ts";

const Env = z.object({
  SMTP_SINK_HOST: z.string().default("127.0.0.1"),
  SMTP_SINK_PORT: z.coerce.number().int().min(0).max(65535).default(1025),
  SMTP_SINK_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8025),
  SMTP_SINK_DIR: z.string().default("./data-smtp"),
});

export interface SinkMessage {
  receivedAt: string;
  from: string | null;
  to: string[];
  messageId: string | null;
  subject: string | null;
  size: number;
}

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ time: Date.now(), component: "smtp-sink", ...fields, msg })}\n`);

const env = readEnvironment(Env, process.env);
mkdirSync(env.SMTP_SINK_DIR, { recursive: true });
const file = path.join(env.SMTP_SINK_DIR, "messages.jsonl");

function readMessages(): SinkMessage[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SinkMessage);
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const message: SinkMessage = {
          receivedAt: new Date().toISOString(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          messageId: mail.messageId ?? null,
          subject: mail.subject ?? null,
          size: mail.text?.length ?? 0,
        };
        // Written before the 250 reply: a message the client was told is
        // accepted is on file even if the sink is killed right after.
        appendFileSync(file, `${JSON.stringify(message)}\n`);
        callback();
      })
      .catch(callback);
  },
});

const http = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/messages") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(readMessages()));
  } else if (req.method === "GET" && req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok" }));
  } else {
    res.writeHead(404).end();
  }
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log("shutting down", { signal });
    http.close();
    http.closeAllConnections();
    smtp.close(() => {
      log("stopped");
      process.exit(0);
    });
  });
}

await new Promise<void>((resolve) => smtp.listen(env.SMTP_SINK_PORT, env.SMTP_SINK_HOST, resolve));
await new Promise<void>((resolve) => http.listen(env.SMTP_SINK_HTTP_PORT, env.SMTP_SINK_HOST, resolve));
log(`listening on smtp://${env.SMTP_SINK_HOST}:${env.SMTP_SINK_PORT}`, {
  port: env.SMTP_SINK_PORT,
  httpPort: env.SMTP_SINK_HTTP_PORT,
  messages: readMessages().length,
});
