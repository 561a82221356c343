import { buildApp } from "../server/app.ts";
import { loadConfig } from "../server/config.ts";

const config = loadConfig({
  DATA_DIR: "bench/data/pglite",
  LOG_LEVEL: "warn",
  FAKE_NOW: "2026-11-24T10:00:00+09:00",
  WORKER: process.env.W ?? "off",
});
const app = await buildApp({ config, seedDemo: false });
const post = async (query: string, variables: object, token?: string) =>
  (await (
    await app.fetch("http://x/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    })
  ).json()) as any;
const login = await post(
  'mutation { login(loginId: "Bench-bench100000@admin", password: "demo-pass") { token } }',
  {},
);
const token = login.data.login.token;
const Q =
  process.env.Q ??
  `query { lines(first: 50) { totalCount edges { node { id phoneNumber group { id name } } } } }`;
const f = () =>
  post(Q, {}, token).then((r) => {
    if (r.errors) throw new Error(JSON.stringify(r.errors));
  });
for (let i = 0; i < 5; i++) await f();
let t = performance.now();
for (let i = 0; i < 16; i++) await f();
console.log("seq", ((performance.now() - t) / 16).toFixed(1));
for (const c of [2, 4, 8]) {
  t = performance.now();
  for (let r = 0; r < 16 / c; r++) await Promise.all(Array.from({ length: c }, f));
  console.log(`conc${c}`, ((performance.now() - t) / 16).toFixed(1), "ms per op");
}
await app.stop();
process.exit(0);
