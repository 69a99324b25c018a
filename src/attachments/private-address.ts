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
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

const IPV6_RANGES: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["::", 96], // IPv4-compatible (deprecated), embeds any IPv4 address
  ["::ffff:0:0:0", 96], // IPv4-translated (RFC 2765)
  ["64:ff9b::", 96], // NAT64 well-known prefix: the gateway reaches the embedded IPv4 address
  ["64:ff9b:1::", 48], // NAT64 local use (RFC 8215)
  ["100::", 64], // discard-only
  ["2001::", 23], // IETF protocol assignments: Teredo 2001::/32 (embeds an IPv4 address), ORCHID, AMT, benchmarking
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: embeds an IPv4 address, private ones included
  ["3fff::", 20], // documentation (RFC 9637)
  ["5f00::", 16], // SRv6 segment identifiers (RFC 9602)
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
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
