// Writes a generated account (groups, administrators, carrier roster, listed
// lines) in bulk. Shared by the demo data and the large benchmark accounts.
import { randomUUID } from "node:crypto";
import { hashPassword } from "../../domain/auth/password.ts";
import { defaultPermissions } from "../../domain/rules/defaults.ts";
import { eligibility } from "../../domain/rules/eligibility.ts";
import type { CalendarDate } from "../../domain/time.ts";
import { bulkInsert } from "../bulk.ts";
import type { Prisma, PrismaClient } from "../generated/client/client.ts";
import type { AdminRole, ContractStatus, DeviceKind, LineChangeKind } from "../generated/client/enums.ts";

export interface SeedLine {
  phoneNumber: string;
  name: string;
  nameKana: string;
  affiliation: string;
  mailAddress: string;
  deviceKind: DeviceKind;
  contractStatus: ContractStatus;
  contractedOn: CalendarDate;
  changeKind: LineChangeKind;
  changedAt: Date;
  appPreinstalled: boolean;
  sharedPhonebook: boolean;
  upgradedFrom3gOn: CalendarDate | null;
  groupName: string | null;
  password: string;
}

export interface SeedAdmin {
  loginId: string;
  name: string;
  role: AdminRole;
  /** For GROUP administrators: the groups they may see. */
  groupNames?: string[];
}

export interface SeedAccount {
  name: string;
  carrierCustomerCode: string;
  portalIdIssuedAt: Date;
  groupNames: string[];
  admins: SeedAdmin[];
  /** The carrier's roster; the lines eligible now (R8) are also listed. */
  lines: SeedLine[];
}

type Tx = Prisma.TransactionClient | PrismaClient;

const BATCH = 2000;

export async function writeAccount(
  db: Tx,
  seed: SeedAccount,
  options: { password: string; now: Date },
): Promise<{ accountId: string; listed: number; rosterOnly: number }> {
  const account = await db.account.create({
    data: {
      name: seed.name,
      carrierCustomerCode: seed.carrierCustomerCode,
      portalIdIssuedAt: seed.portalIdIssuedAt,
      createdAt: options.now,
    },
  });
  await db.group.createMany({
    data: seed.groupNames.map((name) => ({ accountId: account.id, name })),
  });
  const groups = await db.group.findMany({ where: { accountId: account.id } });
  const groupId = new Map(groups.map((g) => [g.name, g.id]));

  for (const admin of seed.admins) {
    await db.administrator.create({
      data: {
        accountId: account.id,
        loginId: admin.loginId,
        name: admin.name,
        role: admin.role,
        passwordHash: await hashPassword(options.password),
        groupScopes: {
          create: (admin.groupNames ?? []).map((name) => ({ groupId: mustGet(groupId, name) })),
        },
      },
    });
  }

  await writeCarrierRoster(db, seed);
  const portal = { portalIdIssuedAt: seed.portalIdIssuedAt, lastManualRefreshAt: null };
  // Only the lines eligible now (R8) are listed; the rest appear after a roster sync.
  const eligible = seed.lines.filter((line) => eligibility(line, portal, options.now).eligible);
  for (let start = 0; start < eligible.length; start += BATCH) {
    // Calendar dates go in as YYYY-MM-DD text; instants as ISO strings (UTC).
    await bulkInsert(
      db,
      "Line",
      eligible.slice(start, start + BATCH).map((line) => ({
        id: randomUUID(),
        accountId: account.id,
        groupId: line.groupName ? mustGet(groupId, line.groupName) : null,
        phoneNumber: line.phoneNumber,
        ...lineFacts(line),
        listedAt: options.now,
        updatedAt: options.now,
        ...defaultPermissions(line.contractedOn),
      })),
    );
  }
  const listed = eligible.length;
  return { accountId: account.id, listed, rosterOnly: seed.lines.length - listed };
}

/**
 * Writes an account's lines into the carrier's roster (CarrierLine) with their
 * R1 default permissions. A line already in the roster is left as it is: the
 * standalone carrier simulator may have written the demo roster into a shared
 * PostgreSQL before the gateway writes its demo accounts.
 */
export async function writeCarrierRoster(
  db: Tx,
  seed: Pick<SeedAccount, "carrierCustomerCode" | "lines">,
): Promise<void> {
  for (let start = 0; start < seed.lines.length; start += BATCH) {
    await bulkInsert(
      db,
      "CarrierLine",
      seed.lines.slice(start, start + BATCH).map((line) => ({
        phoneNumber: line.phoneNumber,
        customerCode: seed.carrierCustomerCode,
        ...lineFacts(line),
        mySoftbankPassword: line.password,
        ...defaultPermissions(line.contractedOn),
      })),
      { onConflict: "ignore" },
    );
  }
}

/** The columns CarrierLine and Line share. */
function lineFacts(line: SeedLine) {
  return {
    name: line.name,
    nameKana: line.nameKana,
    affiliation: line.affiliation,
    mailAddress: line.mailAddress,
    deviceKind: line.deviceKind,
    contractStatus: line.contractStatus,
    contractedOn: line.contractedOn,
    changeKind: line.changeKind,
    changedAt: line.changedAt,
    appPreinstalled: line.appPreinstalled,
    sharedPhonebook: line.sharedPhonebook,
    upgradedFrom3gOn: line.upgradedFrom3gOn,
  };
}

function mustGet<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`seed refers to unknown group ${String(key)}`);
  return value;
}
