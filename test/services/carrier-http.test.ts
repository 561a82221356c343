// The carrier reached over HTTP: the simulator served by createCarrierServer
// and the gateway's HTTP adapter, for real, on loopback.
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db.ts";
import { seedDemoIfEmpty } from "../../prisma/seed/demo.ts";
import { createCarrierServer, createHttpCarrier, listen } from "../../services/carrier/http.ts";
import { type Carrier, CarrierError } from "../../services/carrier/port.ts";
import { createCarrierSimulator } from "../../services/carrier/simulator.ts";
import { startTestApp } from "../support/app.ts";
import { createTestDatabase } from "../support/database.ts";
import { graphql, loginAs } from "../support/graphql.ts";
import { waitForFinalReceiptOverApi } from "../support/wait.ts";

let db: Database;
const servers: Server[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoIfEmpty(db.prisma, { password: "pw", now: new Date("2026-11-24T10:00:00+09:00") });
});
afterAll(async () => {
  for (const server of servers) server.close();
  await db.close();
});

async function serve(carrier: Carrier) {
  const server = createCarrierServer(carrier);
  servers.push(server);
  return listen(server, 0);
}

const simulator = (failureRate = 0) =>
  createCarrierSimulator(db.prisma, { latencyMs: { min: 0, max: 0 }, failureRate });

describe("the HTTP carrier adapter against the simulator server", () => {
  it("applies permissions, reads the roster and passwords", async () => {
    const client = createHttpCarrier(await serve(simulator()));
    const line = await db.prisma.carrierLine.findFirstOrThrow({ where: { customerCode: "DEMO-0001" } });
    await client.applyPermissions({
      requestId: "req-1",
      phoneNumber: line.phoneNumber,
      backup: true,
      phonebookMigration: false,
    });
    expect(
      await db.prisma.carrierLine.findUniqueOrThrow({ where: { phoneNumber: line.phoneNumber } }),
    ).toMatchObject({
      backup: true,
      phonebookMigration: false,
      lastRequestId: "req-1",
    });
    const roster = await client.roster("DEMO-0001");
    expect(roster).toHaveLength(1004);
    expect(roster[0]!.changedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(roster)).not.toContain(line.mySoftbankPassword);
    expect(await client.passwords([line.phoneNumber])).toEqual(
      new Map([[line.phoneNumber, line.mySoftbankPassword]]),
    );
  });

  it("a rejection is a permanent CarrierError with the carrier's reason; an unreachable carrier a temporary one", async () => {
    const rejecting = createHttpCarrier(await serve(simulator(1)));
    const error = await rejecting
      .applyPermissions({
        requestId: "req-2",
        phoneNumber: "090-1000-1000",
        backup: true,
        phonebookMigration: true,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierError);
    expect(error).toMatchObject({
      code: "CARRIER_REJECTED",
      message: "キャリアで設定を反映できませんでした。再度お試しください。",
      retryable: false,
    });

    const unreachable = createHttpCarrier("http://127.0.0.1:9"); // discard port: nothing listens
    await expect(unreachable.roster("DEMO-0001")).rejects.toMatchObject({
      code: "CARRIER_UNAVAILABLE",
      retryable: true,
    });
  });
});

describe("the gateway with CARRIER_URL", () => {
  it("applies a permission change through the carrier over HTTP", async () => {
    // The simulator serves the gateway's own database, which exists once the app is built.
    let target: Carrier | undefined;
    const proxy: Carrier = {
      applyPermissions: (r) => target!.applyPermissions(r),
      roster: (c) => target!.roster(c),
      passwords: (p) => target!.passwords(p),
    };
    const url = await serve(proxy);
    const app = await startTestApp(
      { FAKE_NOW: "2026-11-24T10:00:00+09:00", CARRIER_URL: url },
      { startWorker: true },
    );
    target = createCarrierSimulator(app.app.database.prisma, {
      latencyMs: { min: 0, max: 0 },
      failureRate: 0,
    });
    try {
      const token = await loginAs(app.graphqlUrl, "Manager@admin");
      const page: any = await graphql(
        app.graphqlUrl,
        "{ lines(first: 5, filter: {contractStatus: ACTIVE}) { edges { node { id phoneNumber } } } }",
        {},
        token,
      );
      const lines = page.data.lines.edges.map((e: any) => e.node);
      const submitted: any = await graphql(
        app.graphqlUrl,
        "mutation ($input: PermissionChangeInput!) { submitPermissionChange(input: $input) { receipt { number } } }",
        {
          input: { lines: lines.map((l: any) => ({ lineId: l.id, backup: true, phonebookMigration: true })) },
        },
        token,
      );
      const number = submitted.data.submitPermissionChange.receipt.number;
      const { status } = await waitForFinalReceiptOverApi(app.graphqlUrl, token, number);
      expect(status).toBe("SUCCEEDED");
      const roster = await app.app.database.prisma.carrierLine.findMany({
        where: { phoneNumber: { in: lines.map((l: any) => l.phoneNumber) } },
      });
      expect(roster.every((l) => l.backup && l.phonebookMigration)).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
