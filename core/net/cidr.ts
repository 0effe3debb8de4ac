/**
 * IPv4/IPv6 addresses and CIDR blocks as bigints, for EventBridge `cidr` filters and for spotting
 * "open to the world" rules however they were written (0.0.0.0/0, 0/0, ::/0, 0:0:0:0:0:0:0:0/0…).
 */
export interface Cidr {
  version: 4 | 6;
  network: bigint;
  prefix: number;
}

const bitsOf = (version: 4 | 6) => (version === 4 ? 32 : 128);

export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return undefined;
  // Short forms (e.g. "0/0" → "0") are accepted only for the all-zero address, which AWS itself accepts.
  if (parts.length !== 4 && !parts.every((p) => p === "0")) return undefined;
  let value = 0n;
  for (const part of [...parts, "0", "0", "0"].slice(0, 4)) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

export function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) return undefined;
  let tail = text;
  let embeddedV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    embeddedV4 = parseIpv4(text.slice(lastColon + 1));
    if (embeddedV4 === undefined) return undefined;
    tail = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = "", rest] = tail.split("::") as [string, string | undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - headGroups.length - restGroups.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...headGroups, ...Array<string>(rest === undefined ? 0 : missing).fill("0"), ...restGroups];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  if (embeddedV4 !== undefined) value = (value & ~0xffffffffn) | embeddedV4;
  return value;
}

export function parseIp(text: string): { version: 4 | 6; value: bigint } | undefined {
  const trimmed = text.trim();
  const v4 = trimmed.includes(":") ? undefined : parseIpv4(trimmed);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = trimmed.includes(":") ? parseIpv6(trimmed) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, ...extra] = text.trim().split("/");
  if (address === undefined || extra.length > 0) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const bits = bitsOf(ip.version);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { version: ip.version, network: (ip.value >> hostBits) << hostBits, prefix };
}

export function cidrContains(cidr: Cidr, ipText: string): boolean {
  const ip = parseIp(ipText);
  if (!ip || ip.version !== cidr.version) return false;
  const hostBits = BigInt(bitsOf(cidr.version) - cidr.prefix);
  return ip.value >> hostBits === cidr.network >> hostBits;
}

/** True for any spelling of the whole IPv4 or IPv6 address space. */
export function isWorldOpen(cidrText: string): boolean {
  // Fast answers for the spellings that make up nearly all real rules; anything else is parsed.
  if (cidrText === "0.0.0.0/0" || cidrText === "::/0") return true;
  if (!/\/0+\s*$/.test(cidrText)) return false; // only a /0 prefix covers everything
  const cidr = parseCidr(cidrText);
  return cidr !== undefined && cidr.prefix === 0 && cidrText.includes("/");
}
