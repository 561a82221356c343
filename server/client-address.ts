// Who is on the other end of a request: the address audit rows record and
// sign-in throttling keys on. The socket's peer, unless it is a proxy named
// in TRUST_PROXY: then X-Forwarded-For is read from the right, through the
// trusted proxies, to the first address that is not one (proxy-addr, as
// Express's "trust proxy" does). Anyone can send X-Forwarded-For, so without
// TRUST_PROXY it is never believed.
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/**
 * The proxies of a TRUST_PROXY value, as Express reads a "trust proxy" list:
 * comma-separated addresses, CIDR subnets (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`)
 * and the names `loopback`, `linklocal`, `uniquelocal`. Throws on anything
 * else, naming it.
 */
export function parseTrustProxy(value: string | undefined): string[] {
  const proxies = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  proxyaddr.compile(proxies);
  return proxies;
}

/** The client's address of a request (HTTP, or a WebSocket's upgrade request); null once the socket is gone. */
export type ClientAddressOf = (req: IncomingMessage) => string | null;

export function clientAddressResolver(trustedProxies: string[]): ClientAddressOf {
  const trust = proxyaddr.compile(trustedProxies);
  return (req) => {
    // A socket already closed has no address; proxy-addr would answer undefined.
    if (!req.socket?.remoteAddress) return null;
    return unmapped(proxyaddr(req, trust));
  };
}

/** `::ffff:192.0.2.1` (IPv4 on a dual-stack socket) is 192.0.2.1: one client, one address. */
function unmapped(address: string): string {
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1] ?? address;
}
