// Sign-in, sessions and API tokens.

import { LRUCache } from "lru-cache";
import type { Actor } from "../domain/auth/actor.ts";
import { hashPassword, verifyPassword } from "../domain/auth/password.ts";
import {
  API_TOKEN_PREFIX,
  bearerSecret,
  hashSecret,
  newSecret,
  SESSION_PREFIX,
} from "../domain/auth/tokens.ts";
import type { Clock } from "../domain/clock.ts";
import type { Db } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import type { ApiToken } from "../prisma/generated/client/client.ts";
import type { ApiScope } from "../prisma/generated/client/enums.ts";
import { audit } from "./audit.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { apiTokenEvent, recordWebhookEvents } from "./webhooks/outbox.ts";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** lastUsedAt is refreshed at most this often, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60 * 1000;

/** How sign-in sessions end besides logout and their lifetime (SESSION_TTL_MS). */
export interface SessionPolicy {
  /** A session nobody used for this long is refused like an expired one (0: never). */
  idleTimeoutMs: number;
}

/**
 * How often a session's lastUsedAt is written: at most once a minute, and
 * often enough that an idle timeout is judged within a tenth of itself (a
 * session ends at most this long before its idle timeout has really passed).
 * An instance that caches actors longer than this would let a session in use
 * look idle: server/compose.ts caps the cache at it.
 */
export function lastUsedResolutionMs(policy: SessionPolicy | undefined): number {
  const idle = policy?.idleTimeoutMs ?? 0;
  return idle > 0 ? Math.min(LAST_USED_RESOLUTION_MS, Math.ceil(idle / 10)) : LAST_USED_RESOLUTION_MS;
}

// Verifying against a real hash when the loginId is unknown keeps the response
// time the same, so timing does not reveal which loginIds exist.
let dummyHash: Promise<string> | undefined;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("not-a-real-password");
  return dummyHash;
}

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; adminId: string }
  | { ok: false; code: "INVALID_CREDENTIALS" }
  | { ok: false; code: "LOGIN_LOCKED"; retryAfterSeconds: number };

/**
 * Signs in. Brute force is slowed down by `throttle` (per client address and
 * per login id and address), never by locking the administrator. An unknown
 * login id, a disabled administrator and a wrong password get the same answer
 * after the same work: one lookup, one password verification, one throttle
 * update.
 */
export async function login(
  db: Db,
  clock: Clock,
  input: { loginId: string; password: string; ip?: string | null },
  deps: { throttle: LoginThrottle; logger: Logger },
): Promise<LoginResult> {
  // A blank login id or password gets the answer a wrong one gets, not a
  // validation error that would tell a prober about the form.
  const loginId = input.loginId.trim();
  if (!loginId || !input.password) return { ok: false, code: "INVALID_CREDENTIALS" };
  const attempt = await deps.throttle.admit(loginId, input.ip ?? null);
  if (!attempt.admitted) {
    return { ok: false, code: "LOGIN_LOCKED", retryAfterSeconds: attempt.retryAfterSeconds };
  }
  // An attempt that fails for want of a database (an outage) reached no
  // verdict: a client retrying through it must not run into the address's
  // ceiling of failed sign-ins.
  const orAbandon = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      await attempt.abandoned().catch(() => {});
      throw error;
    }
  };
  const now = clock.now();
  const found = await orAbandon(() => db.administrator.findUnique({ where: { loginId } }));
  const admin = found && !found.disabledAt ? found : null;
  const verified = await verifyPassword(admin?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!admin || !verified) {
    await attempt.failed();
    if (admin) {
      // Not awaited: an unknown id has no account to record a failure in, and
      // waiting for the write would tell the two apart by time.
      const actor = { accountId: admin.accountId, adminId: admin.id, label: admin.loginId, name: admin.name };
      audit(db, actor, "LOGIN_FAILED", { ip: input.ip, at: now }).catch((error: unknown) =>
        deps.logger.error({ err: error, adminId: admin.id }, "could not write the LOGIN_FAILED audit event"),
      );
    }
    return { ok: false, code: "INVALID_CREDENTIALS" };
  }
  const token = newSecret(SESSION_PREFIX);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await orAbandon(async () => {
    await db.adminSession.create({
      data: { adminId: admin.id, tokenHash: hashSecret(token), createdAt: now, expiresAt },
    });
    await audit(
      db,
      { accountId: admin.accountId, adminId: admin.id, label: admin.loginId, name: admin.name },
      "LOGIN",
      {
        ip: input.ip,
        at: now,
      },
    );
  });
  await attempt.succeeded();
  return { ok: true, token, expiresAt, adminId: admin.id };
}

export async function logout(db: Db, clock: Clock, actor: Actor): Promise<void> {
  if (actor.kind !== "admin") return;
  await db.adminSession.update({ where: { id: actor.sessionId }, data: { revokedAt: clock.now() } });
}

/** A session or API token that has been revoked (logout, revokeApiToken). */
export type Revoked = { sessionId: string } | { tokenId: string };

/** An authenticated actor and when its session or token expires (null: never). */
export interface Credential {
  actor: Actor;
  expiresAt: Date | null;
  /** A session under an idle timeout: when it ends unless it is used again. */
  idleUntil?: Date | null;
}

/**
 * Names the session or API token behind an actor, or a revoked one, alike:
 * what holds on to a credential (an open WebSocket) is found by this key
 * when the credential ends.
 */
export function credentialKey(of: Actor | Revoked): string {
  if ("kind" in of) return of.kind === "admin" ? `session:${of.sessionId}` : `token:${of.tokenId}`;
  return "sessionId" in of ? `session:${of.sessionId}` : `token:${of.tokenId}`;
}

/**
 * Actors of recently seen bearer secrets, for a few seconds. Reading the
 * session costs three statements, about as much as the page a request asks
 * for (bench/README.md). Revocations evict at once here and, through
 * `announce`, on the other instances; anything else that changes an actor
 * (an administrator disabled in the database by hand) is seen within `ttlMs`.
 * Unknown secrets are not cached, so guessing cannot fill it.
 */
export interface ActorCache {
  get(tokenHash: string, now: Date): Credential | undefined;
  set(tokenHash: string, actor: Actor, expiresAt: Date | null, idleUntil?: Date | null): void;
  /**
   * Reads a credential the cache does not hold once for all who ask at the
   * same time (ten sockets of one session opening at once, when its entry has
   * just expired, make one read, not ten). What a read brings is cached
   * unless a revocation came while it was under way.
   */
  load(tokenHash: string, lookup: () => Promise<Credential | null>): Promise<Credential | null>;
  /** Forgets a revoked session or token; `announce` tells the other instances. */
  forget(revoked: Revoked, options?: { announce?: boolean }): void;
  /** Forgets everything (a revocation may have been missed). */
  clear(): void;
}

export function createActorCache(
  options: { ttlMs?: number; max?: number; announce?: (revoked: Revoked) => void } = {},
): ActorCache {
  const ttl = options.ttlMs ?? 5_000;
  const cache = new LRUCache<string, Credential>({
    max: options.max ?? 10_000,
    // lru-cache reads a ttl of 0 as "never expires"; here 0 means "do not cache".
    ttl: Math.max(ttl, 1),
  });
  const inFlight = new Map<string, Promise<Credential | null>>();
  let revocations = 0;
  const actorCache: ActorCache = {
    load(tokenHash, lookup) {
      const pending = inFlight.get(tokenHash);
      if (pending) return pending;
      const generation = revocations;
      const read = lookup()
        .then((credential) => {
          if (credential && generation === revocations) {
            actorCache.set(tokenHash, credential.actor, credential.expiresAt, credential.idleUntil);
          }
          return credential;
        })
        .finally(() => {
          if (inFlight.get(tokenHash) === read) inFlight.delete(tokenHash);
        });
      inFlight.set(tokenHash, read);
      return read;
    },
    get(tokenHash, now) {
      if (ttl === 0) return undefined;
      const hit = cache.get(tokenHash);
      if (!hit) return undefined;
      // An idle session is read again, and refused there.
      if ((hit.expiresAt && hit.expiresAt <= now) || (hit.idleUntil && hit.idleUntil <= now)) {
        cache.delete(tokenHash);
        return undefined;
      }
      return hit;
    },
    set(tokenHash, actor, expiresAt, idleUntil = null) {
      cache.set(tokenHash, { actor, expiresAt, idleUntil });
    },
    forget(revoked, { announce = true } = {}) {
      // A read under way may have seen the credential before it was revoked.
      revocations++;
      inFlight.clear();
      for (const [tokenHash, { actor }] of cache.entries()) {
        const matches =
          "sessionId" in revoked
            ? actor.kind === "admin" && actor.sessionId === revoked.sessionId
            : actor.kind === "apiToken" && actor.tokenId === revoked.tokenId;
        if (matches) cache.delete(tokenHash);
      }
      if (announce) options.announce?.(revoked);
    },
    clear: () => {
      revocations++;
      inFlight.clear();
      cache.clear();
    },
  };
  return actorCache;
}

/**
 * The actor behind an Authorization header, or null when it is missing,
 * unknown, expired, revoked, or a session left unused past `policy`'s idle timeout.
 */
export async function authenticate(
  db: Db,
  clock: Clock,
  header: string | null | undefined,
  cache?: ActorCache,
  policy?: SessionPolicy,
): Promise<Actor | null> {
  return (await authenticateCredential(db, clock, header, cache, policy))?.actor ?? null;
}

/** As `authenticate`, with the expiry of the session or token (for what outlives a request). */
export async function authenticateCredential(
  db: Db,
  clock: Clock,
  header: string | null | undefined,
  cache?: ActorCache,
  policy?: SessionPolicy,
): Promise<Credential | null> {
  const secret = bearerSecret(header);
  if (!secret) return null;
  const now = clock.now();
  const tokenHash = hashSecret(secret);
  const cached = cache?.get(tokenHash, now);
  if (cached) return cached;
  if (cache) return cache.load(tokenHash, () => lookUpActor(db, now, secret, tokenHash, policy));
  return lookUpActor(db, now, secret, tokenHash, policy);
}

async function lookUpActor(
  db: Db,
  now: Date,
  secret: string,
  tokenHash: string,
  policy: SessionPolicy | undefined,
): Promise<Credential | null> {
  if (secret.startsWith(SESSION_PREFIX)) {
    const session = await db.adminSession.findUnique({
      where: { tokenHash },
      include: { admin: { include: { groupScopes: { select: { groupId: true } } } } },
    });
    if (!session || session.revokedAt || session.expiresAt <= now || session.admin.disabledAt) return null;
    // Idle: nobody used it (as far as lastUsedAt, written once per
    // resolution, tells) for longer than the timeout. Not written off in the
    // database: the answer is the same at every later read.
    const idleTimeoutMs = policy?.idleTimeoutMs ?? 0;
    let usedAt = session.lastUsedAt ?? session.createdAt;
    if (idleTimeoutMs > 0 && now.getTime() - usedAt.getTime() > idleTimeoutMs) return null;
    if (!session.lastUsedAt || now.getTime() - session.lastUsedAt.getTime() > lastUsedResolutionMs(policy)) {
      await db.adminSession.update({ where: { id: session.id }, data: { lastUsedAt: now } });
      usedAt = now;
    }
    const { admin } = session;
    return {
      actor: {
        kind: "admin",
        accountId: admin.accountId,
        adminId: admin.id,
        sessionId: session.id,
        role: admin.role,
        name: admin.name,
        loginId: admin.loginId,
        groupIds: admin.groupScopes.map((s) => s.groupId),
      },
      expiresAt: session.expiresAt,
      idleUntil: idleTimeoutMs > 0 ? new Date(usedAt.getTime() + idleTimeoutMs) : null,
    };
  }
  if (secret.startsWith(API_TOKEN_PREFIX)) {
    const token = await db.apiToken.findUnique({ where: { tokenHash } });
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
    }
    return {
      actor: {
        kind: "apiToken",
        accountId: token.accountId,
        tokenId: token.id,
        tokenName: token.name,
        scopes: token.scopes,
        createdById: token.createdById,
      },
      expiresAt: token.expiresAt,
    };
  }
  return null;
}

/** A token's name, in characters after trimming. */
export const API_TOKEN_NAME_MAX_LENGTH = 100;

/**
 * A new API token for the administrator's account; its secret is returned
 * this once. A blank or overlong name, no scopes or an expiry already past
 * is refused with the field at fault.
 */
export async function createApiToken(
  db: Db,
  clock: Clock,
  actor: Extract<Actor, { kind: "admin" }>,
  input: { name: string; scopes: ApiScope[]; expiresAt?: Date | null },
): Promise<
  { ok: true; apiToken: ApiToken; secret: string } | { ok: false; field: "name" | "scopes" | "expiresAt" }
> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > API_TOKEN_NAME_MAX_LENGTH) return { ok: false, field: "name" };
  if (input.scopes.length < 1) return { ok: false, field: "scopes" };
  if (input.expiresAt && input.expiresAt.getTime() <= clock.now().getTime()) {
    return { ok: false, field: "expiresAt" };
  }
  const secret = newSecret(API_TOKEN_PREFIX);
  // The token, its audit entry and its webhook event commit together (services/webhooks/outbox.ts).
  const apiToken = await db.$transaction(async (tx) => {
    const apiToken = await tx.apiToken.create({
      data: {
        accountId: actor.accountId,
        createdById: actor.adminId,
        name,
        prefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
        tokenHash: hashSecret(secret),
        scopes: [...new Set(input.scopes)],
        createdAt: clock.now(),
        expiresAt: input.expiresAt ?? null,
      },
    });
    await audit(
      tx,
      { accountId: actor.accountId, adminId: actor.adminId, label: actor.loginId, name: actor.name },
      "API_TOKEN_CREATED",
      {
        at: clock.now(),
        detail: { tokenId: apiToken.id, name: apiToken.name, scopes: apiToken.scopes },
      },
    );
    await recordWebhookEvents(tx, [apiTokenEvent("API_TOKEN_CREATED", apiToken, clock.now())]);
    return apiToken;
  });
  return { ok: true, apiToken, secret };
}

/** Revokes a token of the actor's account; returns null for unknown or foreign ids. */
export async function revokeApiToken(
  db: Db,
  clock: Clock,
  actor: Extract<Actor, { kind: "admin" }>,
  id: string,
) {
  const token = await db.apiToken.findFirst({ where: { id, accountId: actor.accountId } });
  if (!token) return null;
  return db.$transaction(async (tx) => {
    const revoked = token.revokedAt
      ? token
      : await tx.apiToken.update({ where: { id }, data: { revokedAt: clock.now() } });
    if (!token.revokedAt) {
      await recordWebhookEvents(tx, [apiTokenEvent("API_TOKEN_REVOKED", revoked, clock.now())]);
    }
    await audit(
      tx,
      { accountId: actor.accountId, adminId: actor.adminId, label: actor.loginId, name: actor.name },
      "API_TOKEN_REVOKED",
      {
        at: clock.now(),
        detail: { tokenId: id },
      },
    );
    return revoked;
  });
}
