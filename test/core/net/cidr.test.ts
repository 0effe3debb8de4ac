import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrContains, isWorldOpen, parseCidr, parseIp } from "../../../core/net/cidr";

const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

describe("cidr", () => {
  it("recognises every spelling of the whole address space as world-open", () => {
    for (const cidr of [
      "0.0.0.0/0",
      "0/0",
      " 0.0.0.0/0 ",
      "::/0",
      "0::/0",
      "0:0:0:0:0:0:0:0/0",
      "::0/0",
      "1.2.3.4/0",
    ])
      expect(isWorldOpen(cidr), cidr).toBe(true);
  });

  it("does not call narrower or malformed blocks world-open", () => {
    for (const cidr of [
      "0.0.0.0/1",
      "10.0.0.0/8",
      "::/1",
      "0.0.0.0",
      "::",
      "0.0.0.0/00x",
      "256.0.0.0/0",
      "0.0.0.0/33",
      "",
      "/0",
    ])
      expect(isWorldOpen(cidr), cidr).toBe(false);
  });

  it("parses IPv6 with compression and embedded IPv4", () => {
    expect(parseIp("::ffff:192.0.2.1")?.value).toBe(0xffffc0000201n);
    expect(parseIp("2001:db8::1")?.value).toBe(0x20010db8000000000000000000000001n);
    expect(parseIp("2001:db8::1::2")).toBeUndefined();
    expect(parseIp("1:2:3:4:5:6:7:8:9")).toBeUndefined();
  });

  it("contains exactly the addresses whose leading bits match (property, IPv4 reference)", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        fc.nat({ max: 0xffffffff }),
        (net, prefix, ip) => {
          const cidr = parseCidr(`${v4(net)}/${prefix}`)!;
          const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
          expect(cidrContains(cidr, v4(ip))).toBe((net & mask) >>> 0 === (ip & mask) >>> 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the fast path agrees with parsing for CIDR-like text (property)", () => {
    const octet = fc.integer({ min: 0, max: 300 }).map(String);
    const cidrish = fc.oneof(
      fc
        .tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 40 }), fc.constantFrom("", " ", "0"))
        .map(
          ([a, b, c, d, p, pad]) =>
            `${a}.${b}.${c}.${d}/${pad.trim() === "0" ? "0" : ""}${p}${pad.trim() === "" ? pad : ""}`,
        ),
      fc
        .tuple(
          fc.constantFrom("::", "0::", "2001:db8::", "::ffff:0.0.0.0", "0:0:0:0:0:0:0:0"),
          fc.integer({ min: 0, max: 130 }),
        )
        .map(([ip, p]) => `${ip}/${p}`),
    );
    fc.assert(
      fc.property(cidrish, (text) => {
        const parsed = parseCidr(text);
        expect(isWorldOpen(text)).toBe(parsed !== undefined && parsed.prefix === 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on arbitrary text (property)", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const cidr = parseCidr(text);
        if (cidr) expect(cidr.prefix).toBeLessThanOrEqual(cidr.version === 4 ? 32 : 128);
        expect(typeof isWorldOpen(text)).toBe("boolean");
      }),
    );
  });
});
