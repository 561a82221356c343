// SPEC §2 roles and §5 auth: login sessions (with sign-in throttling, in
// full in login-throttle.test.ts),
// logout, and API tokens for MDM tools (MAIN only, shown once, stored hashed,
// scoped, revocable).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { graphql, loginAs } from "../support/graphql.ts";

const LOGIN = `mutation ($loginId: String!, $password: String!) {
  login(loginId: $loginId, password: $password) { token expiresAt userErrors { code message field } }
}`;
const VIEWER = `{ viewer { kind account { name } administrator { loginId name role groups { name } } scopes } }`;
const LINE_COUNT = `{ lines(first: 1) { totalCount } }`;
const CREATE_TOKEN = `mutation ($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    token
    apiToken { id name prefix scopes revokedAt }
    userErrors { code message field }
  }
}`;
const API_TOKENS = `{ apiTokens { id name prefix scopes lastUsedAt revokedAt } }`;
const REVOKE_TOKEN = `mutation ($id: ID!) {
  revokeApiToken(id: $id) { apiToken { id revokedAt } userErrors { code message field } }
}`;

const ALL_SCOPES = [
  "CHANGE_PERMISSIONS",
  "CHECK_FEATURE_ACCESS",
  "READ_LINES",
  "READ_PASSWORDS",
  "READ_RECEIPTS",
  "SEND_MAIL",
];
/** MAIN administrators also manage webhooks and read the audit log (issue 18). */
const MAIN_SCOPES = [...ALL_SCOPES, "MANAGE_WEBHOOKS", "READ_AUDIT"].sort();

const INVALID_CREDENTIALS = {
  code: "INVALID_CREDENTIALS",
  message: "管理者IDまたはパスワードが正しくありません。",
  field: null,
};
const LOGIN_LOCKED = {
  code: "LOGIN_LOCKED",
  message: "ログインに続けて失敗したため、しばらくの間ログインできません。時間をおいて再度お試しください。",
  field: null,
};
const UNAUTHENTICATED = { message: "ログインしてください。", extensions: { code: "UNAUTHENTICATED" } };
const FORBIDDEN = { message: "この操作を行う権限がありません。", extensions: { code: "FORBIDDEN" } };

interface Viewer {
  kind: string;
  account: { name: string };
  administrator: { loginId: string; name: string; role: string; groups: { name: string }[] } | null;
  scopes: string[];
}

let server: RunningApp;
let url: string;
let manager: string;

beforeAll(async () => {
  server = await startTestApp({ FAKE_NOW: "2026-11-24T10:00:00+09:00" });
  url = server.graphqlUrl;
  manager = await loginAs(url, "Manager@admin");
});
afterAll(() => server.stop());

async function viewerOf(token: string | undefined): Promise<Viewer | null> {
  const result = await graphql<{ viewer: Viewer | null }>(url, VIEWER, {}, token);
  expect(result.errors).toBeUndefined();
  const viewer = result.data!.viewer;
  return viewer && { ...viewer, scopes: [...viewer.scopes].sort() };
}

async function login(loginId: string, password: string) {
  const result = await graphql(url, LOGIN, { loginId, password });
  expect(result.errors).toBeUndefined();
  return result.data.login as { token: string | null; expiresAt: string | null; userErrors: unknown[] };
}

async function createToken(token: string, input: { name: string; scopes: string[] }) {
  return graphql(url, CREATE_TOKEN, { input }, token);
}

describe("login", () => {
  it.each([
    {
      loginId: "Manager@admin",
      account: "デモ株式会社",
      name: "管理者",
      role: "MAIN",
      groups: [],
      scopes: MAIN_SCOPES,
    },
    {
      loginId: "Substitute@admin",
      account: "デモ株式会社",
      name: "代理管理者(サブ管理者)",
      role: "SUB",
      groups: [],
      scopes: ALL_SCOPES,
    },
    {
      loginId: "GroupA@admin",
      account: "デモ株式会社",
      name: "グループ管理者A",
      role: "GROUP",
      groups: [{ name: "営業部" }],
      scopes: ALL_SCOPES.filter((scope) => scope !== "READ_PASSWORDS"),
    },
    {
      loginId: "Other@admin",
      account: "サンプル商事",
      name: "サンプル商事 管理者",
      role: "MAIN",
      groups: [],
      scopes: MAIN_SCOPES,
    },
  ])("$loginId ($role) signs in with demo-pass and is the viewer of $account", async (expected) => {
    const payload = await login(expected.loginId, "demo-pass");
    expect(payload.userErrors).toEqual([]);
    expect(payload.token).toEqual(expect.any(String));
    expect(Date.parse(payload.expiresAt!)).toBeGreaterThan(Date.parse("2026-11-24T01:00:00Z"));

    expect(await viewerOf(payload.token!)).toEqual({
      kind: "ADMINISTRATOR",
      account: { name: expected.account },
      administrator: {
        loginId: expected.loginId,
        name: expected.name,
        role: expected.role,
        groups: expected.groups,
      },
      scopes: expected.scopes,
    });
  });

  it("a GROUP administrator may not read passwords; MAIN and SUB may (R10)", async () => {
    const group = await viewerOf(await loginAs(url, "GroupA@admin"));
    expect(group!.scopes).not.toContain("READ_PASSWORDS");
    const sub = await viewerOf(await loginAs(url, "Substitute@admin"));
    expect(sub!.scopes).toContain("READ_PASSWORDS");
  });

  it("a wrong password gets no token and INVALID_CREDENTIALS", async () => {
    expect(await login("Manager@admin", "wrong-pass")).toEqual({
      token: null,
      expiresAt: null,
      userErrors: [INVALID_CREDENTIALS],
    });
  });

  it("an unknown loginId gets the same answer as a wrong password", async () => {
    expect(await login("Nobody@admin", "demo-pass")).toEqual({
      token: null,
      expiresAt: null,
      userErrors: [INVALID_CREDENTIALS],
    });
  });

  it("an empty loginId or password gets the same answer, not a validation error", async () => {
    expect((await login("", "demo-pass")).userErrors).toEqual([INVALID_CREDENTIALS]);
    expect((await login("Manager@admin", "")).userErrors).toEqual([INVALID_CREDENTIALS]);
  });

  it("the session token is never the password and every login issues a new one", async () => {
    const first = await loginAs(url, "Manager@admin");
    const second = await loginAs(url, "Manager@admin");
    expect(first).not.toBe(second);
    expect(first).not.toContain("demo-pass");
  });
});

describe("without a valid token", () => {
  it("viewer is null", async () => {
    expect(await viewerOf(undefined)).toBeNull();
  });

  it("lines is refused with UNAUTHENTICATED", async () => {
    const result = await graphql(url, LINE_COUNT);
    expect(result.data).toBeNull();
    expect(result.errors).toMatchObject([UNAUTHENTICATED]);
  });

  it("a garbage token is treated like no token", async () => {
    for (const garbage of ["garbage", "ses_not-a-real-session", "abt_not-a-real-token"]) {
      expect(await viewerOf(garbage)).toBeNull();
      const result = await graphql(url, LINE_COUNT, {}, garbage);
      expect(result.data).toBeNull();
      expect(result.errors).toMatchObject([UNAUTHENTICATED]);
    }
  });
});

describe("logout", () => {
  it("ends the session at once: viewer is null and lines are refused", async () => {
    const token = await loginAs(url, "Manager@admin");
    expect((await graphql(url, LINE_COUNT, {}, token)).data).toEqual({ lines: { totalCount: 1000 } });

    expect(await graphql(url, "mutation { logout }", {}, token)).toEqual({
      status: 200,
      data: { logout: true },
    });

    expect(await viewerOf(token)).toBeNull();
    const result = await graphql(url, LINE_COUNT, {}, token);
    expect(result.data).toBeNull();
    expect(result.errors).toMatchObject([UNAUTHENTICATED]);
  });

  it("ends only that session: the administrator's other sessions keep working", async () => {
    const other = await loginAs(url, "Manager@admin");
    const token = await loginAs(url, "Manager@admin");
    await graphql(url, "mutation { logout }", {}, token);
    expect((await viewerOf(other))!.administrator!.loginId).toBe("Manager@admin");
  });

  it("without a session is refused with UNAUTHENTICATED", async () => {
    const result = await graphql(url, "mutation { logout }");
    expect(result.errors).toMatchObject([UNAUTHENTICATED]);
  });
});

describe("API tokens", () => {
  let secret: string;
  let tokenId: string;

  beforeAll(async () => {
    const result = await createToken(manager, {
      name: "MDM",
      scopes: ["READ_LINES", "CHECK_FEATURE_ACCESS"],
    });
    expect(result.errors).toBeUndefined();
    secret = result.data.createApiToken.token;
    tokenId = result.data.createApiToken.apiToken.id;
  });

  it("MAIN creates one: the secret is returned once, with the token's name, prefix and scopes", async () => {
    const result = await createToken(manager, { name: "MDM 2", scopes: ["READ_RECEIPTS"] });
    const payload = result.data.createApiToken;
    expect(payload).toEqual({
      token: expect.stringMatching(/^abt_\S{20,}$/),
      apiToken: {
        id: expect.any(String),
        name: "MDM 2",
        prefix: expect.any(String),
        scopes: ["READ_RECEIPTS"],
        revokedAt: null,
      },
      userErrors: [],
    });
    expect(payload.token.startsWith(payload.apiToken.prefix)).toBe(true);
    expect(payload.apiToken.prefix.length).toBeLessThan(payload.token.length);
  });

  it("the first token was created with the requested scopes", async () => {
    const listed = (await graphql(url, API_TOKENS, {}, manager)).data.apiTokens;
    const mdm = listed.find((t: { id: string }) => t.id === tokenId);
    expect(mdm).toMatchObject({ name: "MDM", revokedAt: null });
    expect([...mdm.scopes].sort()).toEqual(["CHECK_FEATURE_ACCESS", "READ_LINES"]);
  });

  it("apiTokens lists it with its prefix but never the secret", async () => {
    const result = await graphql(url, API_TOKENS, {}, manager);
    expect(result.errors).toBeUndefined();
    const mdm = result.data.apiTokens.find((t: { id: string }) => t.id === tokenId);
    expect(mdm).toMatchObject({ id: tokenId, name: "MDM", prefix: secret.slice(0, mdm.prefix.length) });
    expect(JSON.stringify(result)).not.toContain(secret);
    // The type has no field that could carry it.
    const secretField = await graphql(url, `{ apiTokens { token } }`, {}, manager);
    expect(secretField.errors?.[0]?.message).toBe('Cannot query field "token" on type "ApiToken".');
  });

  it("the secret works as a Bearer token: the viewer is the API token", async () => {
    const result = await graphql(
      url,
      `{ viewer { kind account { name } administrator { loginId } apiToken { name } scopes } }`,
      {},
      secret,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer).toEqual({
      kind: "API_TOKEN",
      account: { name: "デモ株式会社" },
      administrator: null,
      apiToken: { name: "MDM" },
      scopes: expect.arrayContaining(["READ_LINES", "CHECK_FEATURE_ACCESS"]),
    });
    expect(result.data.viewer.scopes).toHaveLength(2);
  });

  it("its scopes allow reading lines and checking feature access", async () => {
    expect(await graphql(url, LINE_COUNT, {}, secret)).toEqual({
      status: 200,
      data: { lines: { totalCount: 1000 } },
    });
    const phoneNumber = (
      await graphql(url, `{ lines(first: 1) { edges { node { phoneNumber } } } }`, {}, secret)
    ).data.lines.edges[0].node.phoneNumber;
    const access = await graphql(
      url,
      `query ($p: String!) { featureAccess(phoneNumber: $p, app: IPHONE, action: SAVE_TO_LOCAL) { allowed } }`,
      { p: phoneNumber },
      secret,
    );
    expect(access.data).toEqual({ featureAccess: { allowed: true } });
  });

  it("outside its scopes it is refused with FORBIDDEN (receipts need READ_RECEIPTS)", async () => {
    const result = await graphql(url, `{ receipts(first: 1) { totalCount } }`, {}, secret);
    expect(result.data).toBeNull();
    expect(result.errors).toMatchObject([FORBIDDEN]);
  });

  it("records when it was last used", async () => {
    await graphql(url, LINE_COUNT, {}, secret);
    const listed = (await graphql(url, API_TOKENS, {}, manager)).data.apiTokens;
    const mdm = listed.find((t: { id: string }) => t.id === tokenId);
    expect(mdm.lastUsedAt).toEqual(expect.any(String));
    expect(Date.parse(mdm.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse("2026-11-24T01:00:00Z"));
  });

  it("is stored as a hash: no column holds the secret", async () => {
    const prisma = server.app.database.prisma;
    const row = await prisma.apiToken.findMany({ where: { name: "MDM" } });
    expect(row).toHaveLength(1);
    expect(row[0]!.tokenHash).not.toBe(secret);
    expect(row[0]!.tokenHash).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret);
    // Nor does the audit log.
    expect(JSON.stringify(await prisma.auditEvent.findMany())).not.toContain(secret);
  });

  it("an API token cannot create API tokens", async () => {
    const before = await server.app.database.prisma.apiToken.count();
    const result = await createToken(secret, { name: "escalate", scopes: ["READ_PASSWORDS"] });
    expect(result.data).toBeNull();
    expect(result.errors).toMatchObject([FORBIDDEN]);
    expect(await server.app.database.prisma.apiToken.count()).toBe(before);
  });

  it.each(["Substitute@admin", "GroupA@admin"])(
    "%s may neither create nor list API tokens",
    async (loginId) => {
      const token = await loginAs(url, loginId);
      const before = await server.app.database.prisma.apiToken.count();

      const created = await createToken(token, { name: "mine", scopes: ["READ_LINES"] });
      expect(created.data).toBeNull();
      expect(created.errors).toMatchObject([FORBIDDEN]);
      expect(await server.app.database.prisma.apiToken.count()).toBe(before);

      const listed = await graphql(url, API_TOKENS, {}, token);
      expect(listed.data).toBeNull();
      expect(listed.errors).toMatchObject([FORBIDDEN]);
    },
  );

  it("without a session, creating one is refused with UNAUTHENTICATED", async () => {
    const result = await createToken("", { name: "anon", scopes: ["READ_LINES"] });
    expect(result.errors).toMatchObject([UNAUTHENTICATED]);
  });

  it.each([
    { case: "a blank name", input: { name: "  ", scopes: ["READ_LINES"] }, field: "name" },
    { case: "no scopes", input: { name: "MDM empty", scopes: [] }, field: "scopes" },
  ])("$case is INVALID_INPUT and creates no token", async ({ input, field }) => {
    const before = await server.app.database.prisma.apiToken.count();
    const result = await createToken(manager, input);
    expect(result.errors).toBeUndefined();
    expect(result.data.createApiToken).toEqual({
      token: null,
      apiToken: null,
      userErrors: [{ code: "INVALID_INPUT", message: "入力内容に誤りがあります。", field }],
    });
    expect(await server.app.database.prisma.apiToken.count()).toBe(before);
  });

  it("another account's administrator cannot see or revoke it (NOT_FOUND) and it keeps working", async () => {
    const other = await loginAs(url, "Other@admin");

    const listed = await graphql(url, API_TOKENS, {}, other);
    expect(listed.data.apiTokens.map((t: { id: string }) => t.id)).not.toContain(tokenId);
    expect(
      (await graphql(url, `query ($id: ID!) { node(id: $id) { id } }`, { id: tokenId }, other)).data,
    ).toEqual({ node: null });

    const result = await graphql(url, REVOKE_TOKEN, { id: tokenId }, other);
    expect(result.errors).toBeUndefined();
    expect(result.data.revokeApiToken).toEqual({
      apiToken: null,
      userErrors: [{ code: "NOT_FOUND", message: "指定されたデータは見つかりません。", field: "id" }],
    });

    expect((await graphql(url, LINE_COUNT, {}, secret)).data).toEqual({ lines: { totalCount: 1000 } });
  });

  it("revoking sets revokedAt and the secret stops working at once", async () => {
    const { data } = await createToken(manager, { name: "to revoke", scopes: ["READ_LINES"] });
    const doomed = data.createApiToken.token as string;
    const doomedId = data.createApiToken.apiToken.id as string;
    expect((await graphql(url, LINE_COUNT, {}, doomed)).data).toEqual({ lines: { totalCount: 1000 } });

    const result = await graphql(url, REVOKE_TOKEN, { id: doomedId }, manager);
    expect(result.errors).toBeUndefined();
    expect(result.data.revokeApiToken).toEqual({
      apiToken: { id: doomedId, revokedAt: expect.any(String) },
      userErrors: [],
    });

    const refused = await graphql(url, LINE_COUNT, {}, doomed);
    expect(refused.data).toBeNull();
    expect(refused.errors).toMatchObject([UNAUTHENTICATED]);
    expect(await viewerOf(doomed)).toBeNull();

    const listed = (await graphql(url, API_TOKENS, {}, manager)).data.apiTokens;
    expect(listed.find((t: { id: string }) => t.id === doomedId).revokedAt).toEqual(expect.any(String));
    // Other tokens are untouched.
    expect((await graphql(url, LINE_COUNT, {}, secret)).data).toEqual({ lines: { totalCount: 1000 } });
  });

  it("an API token cannot revoke tokens", async () => {
    const result = await graphql(url, REVOKE_TOKEN, { id: tokenId }, secret);
    expect(result.data).toBeNull();
    expect(result.errors).toMatchObject([FORBIDDEN]);
    expect((await graphql(url, LINE_COUNT, {}, secret)).data).toEqual({ lines: { totalCount: 1000 } });
  });
});

// Last in the file: it makes Substitute@admin wait, from this test's address.
describe("wrong passwords in a row (Substitute@admin)", () => {
  it("four wrong passwords in a row do not delay the login", async () => {
    for (let i = 0; i < 4; i++) {
      expect((await login("Substitute@admin", "wrong-pass")).userErrors).toEqual([INVALID_CREDENTIALS]);
    }
    expect((await login("Substitute@admin", "demo-pass")).token).toEqual(expect.any(String));
  });

  it("five make that login id wait from this address: even the right password gets LOGIN_LOCKED", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await login("Substitute@admin", "wrong-pass")).toEqual({
        token: null,
        expiresAt: null,
        userErrors: [INVALID_CREDENTIALS],
      });
    }

    expect(await login("Substitute@admin", "demo-pass")).toEqual({
      token: null,
      expiresAt: null,
      userErrors: [LOGIN_LOCKED],
    });
    expect((await login("Substitute@admin", "wrong-pass")).userErrors).toEqual([LOGIN_LOCKED]);

    // Only that login id from this address waits.
    expect((await login("Manager@admin", "demo-pass")).token).toEqual(expect.any(String));
  });
});
