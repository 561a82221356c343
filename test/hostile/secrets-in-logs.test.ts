// Issue 14.5: passwords, session tokens, API tokens and the line passwords an
// inquiry returns never reach the server's log, whatever the caller writes
// where (inline in the query text, in variables, in connectionParams) and
// whatever fails (wrong passwords, hostile input, the database going away).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startTestApp } from "../support/app.ts";
import { activeLineIds, graphql } from "../support/graphql.ts";
import { openRawSocket } from "../support/raw-ws.ts";

const DEMO_PASSWORD = "demo-pass";
const WRONG_PASSWORD = "wrong-Pa55word-7gq";
const INLINE_WRONG = "inline-Wr0ng-39xk";
const INLINE_NUL = "inline-Nul-Secret-55";
const OUTAGE_PASSWORD = "outage-Secret-81z";
const BOGUS_TOKEN = "abt_bogus-token-secret-4hq";

let server: RunningApp;
const secrets: string[] = [
  DEMO_PASSWORD,
  WRONG_PASSWORD,
  INLINE_WRONG,
  INLINE_NUL,
  OUTAGE_PASSWORD,
  BOGUS_TOKEN,
];

const loginInline = (loginId: string, password: string) =>
  graphql(
    server.graphqlUrl,
    `mutation { login(loginId: ${JSON.stringify(loginId)}, password: ${JSON.stringify(password)}) { token userErrors { code } } }`,
  );

const loginWithVariables = (loginId: string, password: string) =>
  graphql(
    server.graphqlUrl,
    "mutation ($l: String!, $p: String!) { login(loginId: $l, password: $p) { token userErrors { code } } }",
    { l: loginId, p: password },
  );

beforeAll(async () => {
  // Everything the server would ever log, debug included.
  server = await startTestApp({ LOG_LEVEL: "trace" });
});

afterAll(async () => {
  await server.stop().catch(() => {});
});

describe("the server's log holds no secret", () => {
  it("after sign-ins, failed sign-ins, API tokens, password inquiries, sockets and a database outage", async () => {
    // Sign-ins: the right password inline and in variables; wrong ones; hostile input.
    const inline = await loginInline("Manager@admin", DEMO_PASSWORD);
    const session = (inline.data as { login: { token: string } }).login.token;
    expect(session).toMatch(/^\w+_/);
    secrets.push(session);
    const other = await loginWithVariables("Substitute@admin", DEMO_PASSWORD);
    secrets.push((other.data as { login: { token: string } }).login.token);
    expect(await loginWithVariables("Manager@admin", WRONG_PASSWORD)).toMatchObject({
      data: { login: { token: null, userErrors: [{ code: "INVALID_CREDENTIALS" }] } },
    });
    expect(await loginInline("Substitute@admin", INLINE_WRONG)).toMatchObject({
      data: { login: { token: null } },
    });
    expect((await loginInline("Manager@admin\u0000", INLINE_NUL)).errors).toMatchObject([
      { extensions: { code: "BAD_USER_INPUT" } },
    ]);

    // An API token, used and revoked.
    const created = await graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      server.graphqlUrl,
      `mutation { createApiToken(input: {name: "mdm", scopes: [READ_LINES, READ_PASSWORDS]}) { token apiToken { id } } }`,
      {},
      session,
    );
    const apiToken = created.data?.createApiToken.token as string;
    expect(apiToken).toBeTruthy();
    secrets.push(apiToken);
    expect(
      (await graphql(server.graphqlUrl, "{ lines(first: 1) { totalCount } }", {}, apiToken)).data,
    ).toBeTruthy();
    expect(
      (await graphql(server.graphqlUrl, "{ lines(first: 1) { totalCount } }", {}, BOGUS_TOKEN)).errors,
    ).toBeTruthy();

    // Password inquiries (R10): the line passwords answered.
    const lineIds = await activeLineIds(server.graphqlUrl, apiToken, 3);
    const inquiry = await graphql<{ inquirePasswords: { passwords: { password: string }[] } }>(
      server.graphqlUrl,
      "mutation ($ids: [ID!]!) { inquirePasswords(input: {lineIds: $ids}) { passwords { password } } }",
      { ids: lineIds },
      apiToken,
    );
    const linePasswords = inquiry.data?.inquirePasswords.passwords.map((p) => p.password) ?? [];
    expect(linePasswords).toHaveLength(3);
    secrets.push(...linePasswords);

    // WebSockets with a good and a bad credential in connectionParams.
    const good = await openRawSocket(server.wsUrl, session);
    good.close();
    await openRawSocket(server.wsUrl, BOGUS_TOKEN).then(
      (socket) => socket.close(),
      () => {},
    );

    // The database goes away: what fails now is logged at error level.
    await server.app.database.close();
    const during = await loginInline("Manager@admin", OUTAGE_PASSWORD);
    expect(during.errors ?? during.data).toBeTruthy();
    await graphql(server.graphqlUrl, "{ lines(first: 1) { totalCount } }", {}, session);
    await server.waitForLog((line) => line.level >= 50);

    const log = server.logs.map((line) => JSON.stringify(line)).join("\n");
    expect(log.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(log.includes(secret), `the log holds a secret (${secret.slice(0, 4)}…)`).toBe(false);
    }
  });
});
