// R15: an append-only record of who did what, when, to which lines. Callers
// pass only identifiers and harmless details; never a password or a secret.

import type { Actor } from "../domain/auth/actor.ts";
import type { Db } from "../lib/db.ts";
import type { Prisma } from "../prisma/generated/client/client.ts";

export interface AuditActor {
  accountId: string;
  adminId?: string | null;
  apiTokenId?: string | null;
  label: string;
  /** The administrator's or the token's name at the time (the audit log shows it). */
  name?: string | null;
}

export function auditActorOf(actor: Actor): AuditActor {
  return actor.kind === "admin"
    ? { accountId: actor.accountId, adminId: actor.adminId, label: actor.loginId, name: actor.name }
    : {
        accountId: actor.accountId,
        apiTokenId: actor.tokenId,
        label: `token:${actor.tokenName}`,
        name: actor.tokenName,
      };
}

export async function audit(
  db: Db | Prisma.TransactionClient,
  actor: AuditActor,
  action: string,
  options: {
    at: Date;
    ip?: string | null;
    receiptId?: string;
    lineIds?: string[];
    detail?: Prisma.InputJsonValue;
  },
): Promise<void> {
  await db.auditEvent.create({
    data: {
      accountId: actor.accountId,
      adminId: actor.adminId ?? null,
      apiTokenId: actor.apiTokenId ?? null,
      actor: actor.label,
      actorName: actor.name ?? null,
      action,
      receiptId: options.receiptId ?? null,
      lineIds: options.lineIds ?? [],
      detail: options.detail,
      ip: options.ip ?? null,
      createdAt: options.at,
    },
  });
}
