// Who is calling: an administrator with a login session, or an MDM tool with
// an API token. Permissions are decided here, from the role (SPEC §2) or the
// token's scopes, never in resolvers.
import type { AdminRole, ApiScope } from "../../prisma/generated/client/enums.ts";

export type Actor =
  | {
      kind: "admin";
      accountId: string;
      adminId: string;
      sessionId: string;
      role: AdminRole;
      name: string;
      loginId: string;
      /** For GROUP administrators: the groups they may see and touch. */
      groupIds: string[];
    }
  | {
      kind: "apiToken";
      accountId: string;
      tokenId: string;
      tokenName: string;
      scopes: ApiScope[];
      /** The MAIN administrator who created the token; receipts carry their name. */
      createdById: string;
    };

export const allScopes: readonly ApiScope[] = [
  "READ_LINES",
  "READ_RECEIPTS",
  "CHANGE_PERMISSIONS",
  "SEND_MAIL",
  "READ_PASSWORDS",
  "CHECK_FEATURE_ACCESS",
  "MANAGE_WEBHOOKS",
  "READ_AUDIT",
];

/** What an actor may do. GROUP administrators may not read passwords (R10). */
export function hasScope(actor: Actor, scope: ApiScope): boolean {
  if (actor.kind === "apiToken") return actor.scopes.includes(scope);
  if (scope === "READ_PASSWORDS") return actor.role === "MAIN" || actor.role === "SUB";
  // Webhook endpoints get the account's events: MAIN administrators only (services/webhooks/).
  if (scope === "MANAGE_WEBHOOKS") return actor.role === "MAIN";
  // The audit log covers the whole account (R15): MAIN administrators only.
  if (scope === "READ_AUDIT") return actor.role === "MAIN";
  return true;
}

/** Only MAIN administrators manage API tokens. */
export function canManageApiTokens(actor: Actor): boolean {
  return actor.kind === "admin" && actor.role === "MAIN";
}

/**
 * 手動更新 lists the carrier's new lines for the whole account, which a GROUP
 * administrator does not see (their groups only): refused to them, as
 * changing permissions is to a token without CHANGE_PERMISSIONS.
 */
export function canRefreshLines(actor: Actor): boolean {
  return hasScope(actor, "CHANGE_PERMISSIONS") && !(actor.kind === "admin" && actor.role === "GROUP");
}

/** Lines an actor may see: its account's; a GROUP administrator's groups only. */
export function lineScope(actor: Actor) {
  const groupIds = visibleGroupIds(actor);
  return groupIds
    ? { accountId: actor.accountId, groupId: { in: groupIds } }
    : { accountId: actor.accountId };
}

/** The groups whose lines an actor sees (a GROUP administrator's), or null: every line of its account. */
export function visibleGroupIds(actor: Actor): string[] | null {
  return actor.kind === "admin" && actor.role === "GROUP" ? actor.groupIds : null;
}

/** The same rule as lineScope, for a line already read. */
export function canSeeLine(actor: Actor, line: { accountId: string; groupId: string | null }): boolean {
  if (line.accountId !== actor.accountId) return false;
  if (actor.kind === "admin" && actor.role === "GROUP") {
    return line.groupId !== null && actor.groupIds.includes(line.groupId);
  }
  return true;
}

/** Groups an actor may see. */
export function groupScope(actor: Actor) {
  if (actor.kind === "admin" && actor.role === "GROUP") {
    return { accountId: actor.accountId, id: { in: actor.groupIds } };
  }
  return { accountId: actor.accountId };
}

/** Receipts an actor may see: a GROUP administrator only their own. */
export function receiptScope(actor: Actor) {
  if (actor.kind === "admin" && actor.role === "GROUP") {
    return { accountId: actor.accountId, adminId: actor.adminId };
  }
  return { accountId: actor.accountId };
}

/**
 * Actors with equal keys see exactly the same data through every field
 * (the scope functions above and hasScope depend on nothing else), so a
 * result computed for one may be handed to the other. A GROUP administrator
 * sees only their own receipts, hence the administrator in that key.
 */
export function visibilityKey(actor: Actor): string {
  if (actor.kind === "apiToken") return `token:${actor.accountId}:${[...actor.scopes].sort().join(",")}`;
  if (actor.role === "GROUP")
    return `group:${actor.accountId}:${actor.adminId}:${[...actor.groupIds].sort().join(",")}`;
  return `admin:${actor.accountId}:${actor.role}`;
}
