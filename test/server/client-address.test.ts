// The client's address (server/client-address.ts): the socket's peer, unless
// TRUST_PROXY names that peer as a proxy whose X-Forwarded-For to believe.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddressResolver, parseTrustProxy } from "../../server/client-address.ts";
import { loadConfig } from "../../server/config.ts";

function request(peer: string | undefined, forwardedFor?: string): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  return { headers, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}

describe("client address", () => {
  it("by default is the socket's peer: a spoofed X-Forwarded-For is ignored", () => {
    const { trustProxy } = loadConfig({});
    expect(trustProxy).toEqual([]);
    const clientAddress = clientAddressResolver(trustProxy);
    expect(clientAddress(request("203.0.113.9", "198.51.100.1"))).toBe("203.0.113.9");
    expect(clientAddress(request("127.0.0.1", "198.51.100.1"))).toBe("127.0.0.1");
  });

  it("from a trusted proxy is the address it forwarded", () => {
    const clientAddress = clientAddressResolver(parseTrustProxy("loopback"));
    expect(clientAddress(request("127.0.0.1", "198.51.100.1"))).toBe("198.51.100.1");
    // Without the header, the proxy is the client.
    expect(clientAddress(request("127.0.0.1"))).toBe("127.0.0.1");
  });

  it("believes X-Forwarded-For only through trusted proxies, from the right", () => {
    const clientAddress = clientAddressResolver(parseTrustProxy("loopback, 10.0.0.0/8"));
    // What the client wrote itself (the leftmost entries) is not believed past the first untrusted hop.
    expect(clientAddress(request("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3"))).toBe("198.51.100.1");
    expect(clientAddress(request("127.0.0.1", "198.51.100.1, 10.1.2.3"))).toBe("198.51.100.1");
    const loopbackOnly = clientAddressResolver(parseTrustProxy("loopback"));
    expect(loopbackOnly(request("127.0.0.1", "198.51.100.1, 10.1.2.3"))).toBe("10.1.2.3");
    // A peer that is not a trusted proxy is the client, whatever it sends.
    expect(clientAddress(request("203.0.113.9", "198.51.100.1"))).toBe("203.0.113.9");
  });

  it("reads IPv4 on a dual-stack socket (::ffff:a.b.c.d) as IPv4", () => {
    const clientAddress = clientAddressResolver([]);
    expect(clientAddress(request("::ffff:127.0.0.2"))).toBe("127.0.0.2");
    expect(clientAddress(request("2001:db8::1"))).toBe("2001:db8::1");
    expect(
      clientAddressResolver(parseTrustProxy("127.0.0.1"))(request("::ffff:127.0.0.1", "2001:db8::7")),
    ).toBe("2001:db8::7");
  });

  it("is null once the socket is gone", () => {
    expect(clientAddressResolver([])(request(undefined))).toBeNull();
  });
});

describe("TRUST_PROXY", () => {
  it("takes what Express's trust proxy takes for a list: addresses, subnets and the names loopback, linklocal, uniquelocal", () => {
    expect(
      loadConfig({
        TRUST_PROXY:
          "loopback, linklocal,uniquelocal, 192.0.2.10, 10.0.0.0/8, 172.16.0.0/255.240.0.0, fd00::/8",
      }).trustProxy,
    ).toEqual([
      "loopback",
      "linklocal",
      "uniquelocal",
      "192.0.2.10",
      "10.0.0.0/8",
      "172.16.0.0/255.240.0.0",
      "fd00::/8",
    ]);
  });

  it("stops the server at start on anything else, naming the variable", () => {
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/33" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "proxy.example.com" })).toThrow(/TRUST_PROXY/);
  });
});
