// Large accounts for benchmarks: `npm run db:seed -- --lines 100000`.
import { MIGRATION_ON_BY_DEFAULT_FROM } from "../../domain/rules/defaults.ts";
import { addDays, daysBetween, jstDate, jstInstant } from "../../domain/time.ts";
import type { PrismaClient } from "../generated/client/client.ts";
import {
  givenNames,
  mailAddressFor,
  mySoftbankPassword,
  personName,
  phoneNumber,
  random,
  serviceDeviceKind,
  surnames,
} from "./generate.ts";
import { type SeedLine, writeAccount } from "./write.ts";

export interface LargeAccountOptions {
  lines: number;
  /** Distinguishes several large accounts in one database. */
  code: string;
  password: string;
  now: Date;
}

export async function seedLargeAccount(prisma: PrismaClient, options: LargeAccountOptions) {
  const rng = random(options.lines);
  const today = jstDate(options.now);
  const groupNames = Array.from({ length: 50 }, (_, g) => `グループ${String(g + 1).padStart(2, "0")}`);
  // Phone numbers must be unique across the carrier roster: continue after the
  // numbers already handed out in the 070 block.
  const base = await prisma.carrierLine.count({ where: { phoneNumber: { startsWith: "070-" } } });
  const lines = Array.from({ length: options.lines }, (_, i): SeedLine => {
    const deviceKind = serviceDeviceKind(rng);
    const phone = phoneNumber(base + i, 2);
    const contractedOn = addDays("2012-01-01", rng.int(0, Math.min(4000, daysBetween("2012-01-01", today))));
    return {
      phoneNumber: phone,
      ...personName(rng),
      affiliation: `事業部${(i % 20) + 1}`,
      mailAddress: mailAddressFor(phone, deviceKind),
      deviceKind,
      contractStatus: i % 100 === 7 ? "CANCELLED" : "ACTIVE",
      contractedOn,
      changeKind: "EXISTING",
      changedAt: jstInstant(contractedOn),
      appPreinstalled: rng.chance(0.1),
      sharedPhonebook: rng.chance(0.05),
      upgradedFrom3gOn: null,
      groupName: groupNames[i % groupNames.length] ?? null,
      password: mySoftbankPassword(rng),
    };
  });
  const result = await writeAccount(
    prisma,
    {
      name: `ベンチマーク株式会社 ${options.code}`,
      carrierCustomerCode: `BENCH-${options.code}`,
      portalIdIssuedAt: new Date("2015-04-01T00:00:00+09:00"),
      groupNames,
      admins: [{ loginId: `Bench-${options.code}@admin`, name: "ベンチマーク管理者", role: "MAIN" }],
      lines,
    },
    { password: options.password, now: options.now },
  );
  // PGlite runs no autovacuum: without fresh statistics and a visibility map,
  // counting the lines (a totalCount LineCount cannot serve) cannot use an
  // index-only scan (bench/README.md); LineCount keeps the rows each batch's
  // counts left behind.
  for (const table of ["Line", "CarrierLine", "LineCount"])
    await prisma.$executeRawUnsafe(`VACUUM ANALYZE "${table}"`);
  return result;
}

/**
 * The same kind of account written by the database itself (INSERT … SELECT
 * over generate_series): a million lines in seconds instead of minutes of
 * generating rows in JavaScript (bench/README.md, cost curves). The lines are
 * derived from their index rather than drawn at random — names cycle through
 * the generator's surnames and given names, so a search for one name matches
 * a known share of them — and every line is eligible, hence listed.
 */
export async function seedLargeAccountBySql(prisma: PrismaClient, options: LargeAccountOptions) {
  const groupNames = Array.from({ length: 50 }, (_, g) => `グループ${String(g + 1).padStart(2, "0")}`);
  const { accountId } = await writeAccount(
    prisma,
    {
      name: `ベンチマーク株式会社 ${options.code}`,
      carrierCustomerCode: `BENCH-${options.code}`,
      portalIdIssuedAt: new Date("2015-04-01T00:00:00+09:00"),
      groupNames,
      admins: [{ loginId: `Bench-${options.code}@admin`, name: "ベンチマーク管理者", role: "MAIN" }],
      lines: [],
    },
    { password: options.password, now: options.now },
  );
  const groups = await prisma.group.findMany({ where: { accountId }, orderBy: { name: "asc" } });
  // Continues the 070 block after the numbers handed out so far, as seedLargeAccount does.
  const base = await prisma.carrierLine.count({ where: { phoneNumber: { startsWith: "070-" } } });
  const kinds = ["SMARTPHONE", "IPHONE", "FEATURE_PHONE_4G", "SMARTPHONE", "IPHONE", "WINDOWS10_MOBILE"];
  const text = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(",")}]::text[]`;
  // One row per index; the facts CarrierLine and Line share come from the same expressions.
  const facts = `
    SELECT i,
      '070-' || substr(d, 1, 4) || '-' || substr(d, 5, 4) AS phone,
      (${text(surnames.map((s) => s[0]))})[1 + i % ${surnames.length}] || ' ' ||
        (${text(givenNames.map((g) => g[0]))})[1 + (i / ${surnames.length}) % ${givenNames.length}] AS name,
      (${text(surnames.map((s) => s[1]))})[1 + i % ${surnames.length}] || ' ' ||
        (${text(givenNames.map((g) => g[1]))})[1 + (i / ${surnames.length}) % ${givenNames.length}] AS kana,
      '事業部' || (1 + i % 20) AS affiliation,
      (${text(kinds)})[1 + i % ${kinds.length}] AS kind,
      CASE WHEN i % 100 = 7 THEN 'CANCELLED' ELSE 'ACTIVE' END AS contract,
      DATE '2012-01-01' + (i * 37 % 4000) AS contracted
    FROM (SELECT i, (10000000 + $1::int + i)::text AS d FROM generate_series($2::int, $3::int) AS i) AS n`;
  const CHUNK = 100_000;
  for (let from = 0; from < options.lines; from += CHUNK) {
    const to = Math.min(options.lines, from + CHUNK) - 1;
    await prisma.$executeRawUnsafe(
      `INSERT INTO "CarrierLine" ("phoneNumber", "customerCode", name, "nameKana", affiliation, "mailAddress",
         "deviceKind", "contractStatus", "contractedOn", "changeKind", "changedAt", backup, "phonebookMigration",
         "mySoftbankPassword")
       SELECT phone, $4, name, kana, affiliation,
         replace(phone, '-', '') || CASE WHEN kind = 'IPHONE' THEN '@i.softbank.jp' ELSE '@softbank.ne.jp' END,
         kind::"DeviceKind", contract::"ContractStatus", contracted, 'EXISTING', contracted::timestamp - interval '9 hours',
         false, contracted >= DATE '${MIGRATION_ON_BY_DEFAULT_FROM}', substr(md5(phone), 1, 10)
       FROM (${facts}) AS f`,
      base,
      from,
      to,
      `BENCH-${options.code}`,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Line" (id, "accountId", "groupId", "phoneNumber", name, "nameKana", affiliation, "mailAddress",
         "deviceKind", "contractStatus", "contractedOn", "changeKind", "changedAt", backup, "phonebookMigration",
         "listedAt", "updatedAt")
       SELECT gen_random_uuid(), $4::uuid, ($5::uuid[])[1 + i % ${groups.length}], phone, name, kana, affiliation,
         replace(phone, '-', '') || CASE WHEN kind = 'IPHONE' THEN '@i.softbank.jp' ELSE '@softbank.ne.jp' END,
         kind::"DeviceKind", contract::"ContractStatus", contracted, 'EXISTING', contracted::timestamp - interval '9 hours',
         false, contracted >= DATE '${MIGRATION_ON_BY_DEFAULT_FROM}', $6::timestamp, $6::timestamp
       FROM (${facts}) AS f`,
      base,
      from,
      to,
      accountId,
      groups.map((g) => g.id),
      options.now.toISOString(),
    );
  }
  for (const table of ["Line", "CarrierLine"]) await prisma.$executeRawUnsafe(`VACUUM ANALYZE "${table}"`);
  return { accountId, listed: options.lines, rosterOnly: 0 };
}
