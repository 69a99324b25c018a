import { BlockList, isIP } from "net";

/** Ranges a user-supplied attachment URL must never reach (IANA special-purpose registries). */
const IPV4_RANGES: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

const IPV6_RANGES: [string, number][] = [
  ["::", 128],
  ["::1", 128],
  ["::", 96],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
];

function createBlockList(): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of IPV4_RANGES) list.addSubnet(network, prefix, "ipv4");
  for (const [network, prefix] of IPV6_RANGES) list.addSubnet(network, prefix, "ipv6");
  return list;
}

const BLOCKED = createBlockList();

/**
 * Whether an address is loopback, private, link-local (cloud metadata), shared,
 * documentation, multicast or reserved, in any spelling: IPv4-mapped IPv6 in
 * dotted or hex form is checked against the IPv4 ranges. Anything that is not
 * an IP address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return true;
  return BLOCKED.check(address, version === 4 ? "ipv4" : "ipv6");
}
