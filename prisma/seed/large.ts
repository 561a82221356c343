// Large accounts for benchmarks: `npm run db:seed -- --lines 100000`.
import { addDays, daysBetween, jstDate, jstInstant } from "../../domain/time.ts";
import type { PrismaClient } from "../generated/client/client.ts";
import {
  mailAddressFor,
  mySoftbankPassword,
  personName,
  phoneNumber,
  random,
  serviceDeviceKind,
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
