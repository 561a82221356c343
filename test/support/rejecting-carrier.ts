// A carrier over HTTP (CARRIER_URL) that rejects the lines a test names, as
// the real carrier does now and then: a permanent answer, so the item ends
// 異常終了 with 「キャリアで設定を反映できませんでした。再度お試しください。」
// (CARRIER_REJECTED). Every other request goes to a backend: the simulator on
// the gateway's database (API tests, attached once the app is built), or, for
// a server process whose database the test cannot reach, a carrier that
// accepts every change and lists no new lines.
import type { Server } from "node:http";
import { carrierMessages } from "../../domain/messages.ts";
import { createCarrierServer, listen } from "../../services/carrier/http.ts";
import { type Carrier, CarrierError } from "../../services/carrier/port.ts";

/** Accepts every permission change; no roster of its own (nothing new to list), no passwords. */
export const acceptingCarrier: Carrier = {
  roster: async () => [],
  passwords: async () => new Map(),
  applyPermissions: async () => {},
};

export interface RejectingCarrier {
  url: string;
  /** Rejects these phone numbers (with or without hyphens) from now on, until `accept`. */
  reject(phoneNumbers: readonly string[]): void;
  /** Accepts every line again. */
  accept(): void;
  /** Permission requests answered so far, by phone number (digits only). */
  requests(phoneNumber: string): number;
  /** The backend that answers what is not rejected (default: acceptingCarrier). */
  attach(backend: Carrier): void;
  stop(): Promise<void>;
}

const digits = (phoneNumber: string) => phoneNumber.replace(/\D/g, "");

export async function startRejectingCarrier(backend: Carrier = acceptingCarrier): Promise<RejectingCarrier> {
  let current = backend;
  const rejected = new Set<string>();
  const counts = new Map<string, number>();
  const carrier: Carrier = {
    roster: (code) => current.roster(code),
    passwords: (numbers) => current.passwords(numbers),
    async applyPermissions(request) {
      const phone = digits(request.phoneNumber);
      counts.set(phone, (counts.get(phone) ?? 0) + 1);
      if (rejected.has(phone))
        throw new CarrierError("CARRIER_REJECTED", carrierMessages.CARRIER_REJECTED, false);
      await current.applyPermissions(request);
    },
  };
  const server: Server = createCarrierServer(carrier);
  const url = await listen(server, 0);
  return {
    url,
    reject(phoneNumbers) {
      for (const phone of phoneNumbers) rejected.add(digits(phone));
    },
    accept() {
      rejected.clear();
    },
    requests: (phoneNumber) => counts.get(digits(phoneNumber)) ?? 0,
    attach(next) {
      current = next;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
