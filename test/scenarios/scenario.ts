// Named test data (RedwoodJS's scenarios are the model): a scenario names the
// groups, administrators and lines one area's tests need, with only the facts
// that matter to them spelled out; the rest are plain defaults. A test says
// which scenario it uses and refers to its data by name (`lines.iphone`),
// so the demo data (prisma/seed/demo.ts, checked by test/db/demo-data.test.ts)
// can change without rippling into API tests.
//
// Scenarios are written through the seed's own writer (writeAccount): the
// carrier's roster gets every line, the product lists the lines eligible now
// (R8) with their R1 defaults, as for the demo.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { jstDate, jstInstant } from "../../domain/time.ts";
import type { Db } from "../../lib/db.ts";
import { mailAddressFor, phoneNumber } from "../../prisma/seed/generate.ts";
import { type SeedAccount, type SeedAdmin, type SeedLine, writeAccount } from "../../prisma/seed/write.ts";

/** A line of a scenario: what the tests care about; the rest defaults to an active iPhone in its group. */
export type ScenarioLine = Partial<Omit<SeedLine, "groupName">> & { group?: string | null };

export interface ScenarioAccount<L extends string = string> {
  name: string;
  /** The carrier's customer code (distinct per account of a scenario). */
  customerCode: string;
  groups: readonly string[];
  /** Default: Manager@admin (MAIN), Substitute@admin (SUB), GroupA@admin (GROUP of the first group). */
  admins?: SeedAdmin[];
  lines: Record<L, ScenarioLine>;
}

export interface Scenario<L extends string = string, O extends string = string> {
  /** The account the tests act on. */
  account: ScenarioAccount<L>;
  /** Other accounts, whose data must stay out of reach (tenant isolation). */
  others?: ScenarioAccount<O>[];
}

export interface SeededLine {
  /** The GraphQL id. */
  id: string;
  /** The database id. */
  rawId: string;
  phoneNumber: string;
  name: string;
  /** Listed now (R8); a roster-only line has no ids. */
  listed: boolean;
}

export interface Seeded<L extends string> {
  accountId: string;
  lines: Record<L, SeededLine>;
  groups: Record<string, { id: string; rawId: string }>;
  /** The password of every administrator of the scenario. */
  password: string;
}

/** As the demo's default (DEMO_PASSWORD), so `loginAs(url, "Manager@admin")` signs in to either. */
export const SCENARIO_PASSWORD = "demo-pass";

/** Gives a scenario its type; the lines' names become the keys of `Seeded.lines`. */
export function defineScenario<L extends string, O extends string = string>(scenario: Scenario<L, O>) {
  return scenario;
}

/** Writes the scenario's accounts into an empty database; returns the acting account's data by name. */
export async function writeScenario<L extends string>(
  db: Db,
  scenario: Scenario<L>,
  now: Date,
): Promise<Seeded<L>> {
  let block = 0;
  const seeded = await writeOne(db, scenario.account, now, block++);
  for (const other of scenario.others ?? []) await writeOne(db, other, now, block++);
  return seeded;
}

async function writeOne<L extends string>(
  db: Db,
  account: ScenarioAccount<L>,
  now: Date,
  block: number,
): Promise<Seeded<L>> {
  const names = Object.keys(account.lines) as L[];
  const lines = names.map((name, i) => seedLine(account, name, i, block, now));
  const seed: SeedAccount = {
    name: account.name,
    carrierCustomerCode: account.customerCode,
    portalIdIssuedAt: new Date("2015-04-01T00:00:00+09:00"),
    groupNames: [...account.groups],
    admins: account.admins ?? defaultAdmins(account),
    lines,
  };
  const { accountId } = await writeAccount(db, seed, { password: SCENARIO_PASSWORD, now });
  const rows = await db.line.findMany({ where: { accountId }, select: { id: true, phoneNumber: true } });
  const byPhone = new Map(rows.map((row) => [row.phoneNumber, row.id]));
  const groups = await db.group.findMany({ where: { accountId } });
  return {
    accountId,
    password: SCENARIO_PASSWORD,
    lines: Object.fromEntries(
      names.map((name, i) => {
        const line = lines[i] as SeedLine;
        const rawId = byPhone.get(line.phoneNumber) ?? "";
        return [
          name,
          {
            id: rawId ? encodeGlobalID("Line", rawId) : "",
            rawId,
            phoneNumber: line.phoneNumber,
            name: line.name,
            listed: rawId !== "",
          },
        ];
      }),
    ) as Record<L, SeededLine>,
    groups: Object.fromEntries(
      groups.map((group) => [group.name, { id: encodeGlobalID("Group", group.id), rawId: group.id }]),
    ),
  };
}

function defaultAdmins(account: ScenarioAccount): SeedAdmin[] {
  const first = account.groups[0];
  return [
    { loginId: "Manager@admin", name: "管理者", role: "MAIN" },
    { loginId: "Substitute@admin", name: "代理管理者(サブ管理者)", role: "SUB" },
    ...(first
      ? [{ loginId: "GroupA@admin", name: "グループ管理者A", role: "GROUP" as const, groupNames: [first] }]
      : []),
  ];
}

function seedLine(account: ScenarioAccount, name: string, index: number, block: number, now: Date): SeedLine {
  const given = account.lines[name] ?? {};
  const phone = given.phoneNumber ?? phoneNumber(9_000 + index, block);
  const deviceKind = given.deviceKind ?? "IPHONE";
  const contractedOn = given.contractedOn ?? "2018-04-01";
  const changeKind = given.changeKind ?? "EXISTING";
  return {
    phoneNumber: phone,
    name: given.name ?? name,
    nameKana: given.nameKana ?? "テスト",
    affiliation: given.affiliation ?? given.group ?? "本社",
    mailAddress: given.mailAddress ?? mailAddressFor(phone, deviceKind),
    deviceKind,
    contractStatus: given.contractStatus ?? "ACTIVE",
    contractedOn,
    changeKind,
    changedAt: given.changedAt ?? (changeKind === "EXISTING" ? jstInstant(contractedOn) : now),
    appPreinstalled: given.appPreinstalled ?? false,
    sharedPhonebook: given.sharedPhonebook ?? false,
    upgradedFrom3gOn: given.upgradedFrom3gOn ?? null,
    groupName: given.group === undefined ? (account.groups[0] ?? null) : given.group,
    password: given.password ?? `pw-${name}`.slice(0, 20),
  };
}

/** Today's date in JST for a scenario's clock, for lines contracted "today". */
export const today = (now: Date) => jstDate(now);
