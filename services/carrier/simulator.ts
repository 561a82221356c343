// The simulated carrier: applies permission changes to its roster (the
// CarrierLine table) after a configurable latency, failing a configurable
// share of requests. Requests are idempotent by requestId, as a real
// provisioning API's would be, so a retried or re-claimed item is applied once.
import { carrierMessages } from "../../domain/messages.ts";
import { fromDateOnly } from "../../domain/time.ts";
import type { Db } from "../../lib/db.ts";
import { type Carrier, CarrierError, type PermissionRequest } from "./port.ts";

export interface SimulatorOptions {
  latencyMs: { min: number; max: number };
  failureRate: number;
  /** Injected for deterministic tests. */
  random?: () => number;
}

export function createCarrierSimulator(db: Db, options: SimulatorOptions): Carrier {
  const random = options.random ?? Math.random;
  return {
    async roster(customerCode) {
      const rows = await db.carrierLine.findMany({
        where: { customerCode },
        orderBy: { phoneNumber: "asc" },
      });
      return rows.map(
        ({ mySoftbankPassword: _secret, lastRequestId: _request, customerCode: _code, ...line }) => ({
          ...line,
          contractedOn: fromDateOnly(line.contractedOn),
          upgradedFrom3gOn: line.upgradedFrom3gOn ? fromDateOnly(line.upgradedFrom3gOn) : null,
        }),
      );
    },
    async passwords(phoneNumbers) {
      const rows = await db.carrierLine.findMany({
        where: { phoneNumber: { in: phoneNumbers } },
        select: { phoneNumber: true, mySoftbankPassword: true },
      });
      return new Map(rows.map((r) => [r.phoneNumber, r.mySoftbankPassword]));
    },
    async applyPermissions(request: PermissionRequest) {
      const { min, max } = options.latencyMs;
      const latency = min + Math.floor(random() * (max - min + 1));
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      if (options.failureRate > 0 && random() < options.failureRate) {
        throw new CarrierError("CARRIER_REJECTED", carrierMessages.CARRIER_REJECTED, false);
      }
      const updated = await db.carrierLine.updateMany({
        where: {
          phoneNumber: request.phoneNumber,
          // SQL's NOT (NULL = x) is not true, so a never-changed line needs its own branch.
          OR: [{ lastRequestId: null }, { lastRequestId: { not: request.requestId } }],
        },
        data: {
          backup: request.backup,
          phonebookMigration: request.phonebookMigration,
          lastRequestId: request.requestId,
        },
      });
      if (updated.count === 0) {
        const exists = await db.carrierLine.count({ where: { phoneNumber: request.phoneNumber } });
        if (!exists) throw new CarrierError("UNKNOWN_LINE", carrierMessages.UNKNOWN_LINE, false);
      }
    },
  };
}
