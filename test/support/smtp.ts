// A real SMTP server on 127.0.0.1 (smtp-server) that keeps what it receives.
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface TestSmtp {
  url: string;
  received: ParsedMail[];
  /** Recipients the server refuses with 550 while they are in this set. */
  reject: Set<string>;
  /** While true, every connection is refused with 421 (service not available: an outage). */
  unavailable: boolean;
  /** Connections the server has seen, refused ones included. */
  connections: number;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const reject = new Set<string>();
  const state = { unavailable: false, connections: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      if (!state.unavailable) return callback();
      const error = new Error("service not available, try again later") as Error & { responseCode: number };
      error.responseCode = 421;
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (reject.has(address.address)) {
        const error = new Error("mailbox unavailable") as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    reject,
    get unavailable() {
      return state.unavailable;
    },
    set unavailable(value: boolean) {
      state.unavailable = value;
    },
    get connections() {
      return state.connections;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
