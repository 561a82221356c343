// The SSRF guard of webhook endpoints: an endpoint may not make the gateway
// call into its own network. Its host is resolved (every address, as
// dns.lookup returns them) and refused when any address is loopback,
// private (RFC 1918, fc00::/7, CGNAT), link-local (169.254/16, fe80::/10),
// a cloud metadata address (169.254.169.254, fd00:ec2::254), unspecified,
// multicast or reserved; unless WEBHOOK_ALLOWED_HOSTS names the host.
//
// Checked twice: when an endpoint is registered or changed, and at every
// delivery, inside the socket's own lookup (guardedLookup), so the address
// connected to is the address checked: a name that resolved to a public
// address at registration and to 127.0.0.1 later (DNS rebinding) is refused.
// (Node calls no lookup for an address literal: postWebhook checks those itself.)
// https is required, except for hosts on the allow-list (test receivers).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique local (fd00:ec2::254, the EC2 metadata address, is in it)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
  ["64:ff9b::", 96], // NAT64 of any IPv4 address
  ["100::", 64], // discard
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** Whether the gateway must not connect to `address` (an IPv4 or IPv6 literal). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], "ipv4");
    return blocked.check(address, "ipv6");
  }
  return blocked.check(address, "ipv4");
}

export interface SsrfPolicy {
  /** Hosts (names or addresses, lower case) exempt from the guard and from https: WEBHOOK_ALLOWED_HOSTS. */
  allowedHosts: readonly string[];
  /** Injected for tests; dns.lookup with all addresses by default. */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

export type UrlRefusal = "INVALID_URL" | "HTTPS_REQUIRED" | "ADDRESS_NOT_ALLOWED" | "HOST_NOT_FOUND";

const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, "").toLowerCase();

export function isAllowedHost(policy: SsrfPolicy, host: string): boolean {
  return policy.allowedHosts.includes(host.toLowerCase());
}

const resolveAll = (host: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/** Null when the gateway may deliver to `raw`; otherwise why not. */
export async function checkWebhookUrl(policy: SsrfPolicy, raw: string): Promise<UrlRefusal | null> {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || !["http:", "https:"].includes(url.protocol) || url.username || url.password) {
    return "INVALID_URL";
  }
  const host = bareHost(url);
  if (isAllowedHost(policy, host)) return null;
  if (url.protocol !== "https:") return "HTTPS_REQUIRED";
  let addresses: LookupAddress[];
  try {
    addresses = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await (policy.resolve ?? resolveAll)(host);
  } catch {
    return "HOST_NOT_FOUND";
  }
  if (addresses.length === 0) return "HOST_NOT_FOUND";
  return addresses.some((a) => isBlockedAddress(a.address)) ? "ADDRESS_NOT_ALLOWED" : null;
}

export class BlockedAddressError extends Error {
  readonly code = "ADDRESS_NOT_ALLOWED";
}

/**
 * A socket `lookup` for node:http(s) that refuses blocked addresses at
 * connect time (DNS rebinding); hosts on the allow-list pass.
 */
export function guardedLookup(policy: SsrfPolicy) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number } | number,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    (policy.resolve ?? resolveAll)(host).then(
      (addresses) => {
        const allowed = isAllowedHost(policy, host);
        if (addresses.length === 0) return callback(new Error(`no address for ${host}`), "", 4);
        if (!allowed && addresses.some((a) => isBlockedAddress(a.address))) {
          return callback(new BlockedAddressError(`${host} resolves to an address not allowed`), "", 4);
        }
        const all = typeof options === "object" && options.all;
        if (all) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, "", 4),
    );
  };
}
