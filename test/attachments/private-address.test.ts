import { isPrivateAddress } from "../../src/attachments/private-address";

describe("isPrivateAddress", () => {
  it.each([
    { address: "::ffff:7f00:1", why: "loopback, IPv4-mapped in hex as the URL parser writes it" },
    { address: "::ffff:a9fe:a9fe", why: "cloud metadata, IPv4-mapped in hex" },
    { address: "0:0:0:0:0:0:0:1", why: "loopback in long form" },
    { address: "fec0::1", why: "deprecated site-local" },
    { address: "64:ff9b::7f00:1", why: "NAT64 of loopback" },
    { address: "2001:db8::1", why: "documentation" },
  ])("refuses $address ($why)", ({ address }) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    { address: "0.0.0.0", why: "this network" },
    { address: "0.1.2.3", why: "this network" },
    { address: "10.0.0.1", why: "private 10/8" },
    { address: "10.255.255.255", why: "private 10/8" },
    { address: "127.0.0.1", why: "loopback" },
    { address: "127.255.0.9", why: "loopback" },
    { address: "100.64.0.1", why: "shared address space (CGNAT)" },
    { address: "100.127.255.255", why: "shared address space (CGNAT)" },
    { address: "169.254.169.254", why: "link-local (cloud metadata)" },
    { address: "172.16.0.1", why: "private 172.16/12" },
    { address: "172.31.255.255", why: "private 172.16/12" },
    { address: "192.168.1.1", why: "private 192.168/16" },
    { address: "198.18.0.1", why: "benchmarking" },
    { address: "198.19.255.255", why: "benchmarking" },
    { address: "224.0.0.1", why: "multicast" },
    { address: "239.255.255.250", why: "multicast" },
    { address: "240.0.0.1", why: "reserved" },
    { address: "255.255.255.255", why: "broadcast" },
  ])("refuses IPv4 $address ($why)", ({ address }) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    "1.1.1.1",
    "8.8.8.8",
    "9.255.255.255",
    "11.0.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "126.255.255.255",
    "128.0.0.1",
    "169.253.0.1",
    "169.255.0.1",
    "172.15.255.255",
    "172.32.0.1",
    "192.167.255.255",
    "192.169.0.1",
    "198.17.255.255",
    "198.20.0.1",
    "223.255.255.255",
  ])("allows public IPv4 %s", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it.each([
    { address: "::", why: "unspecified" },
    { address: "::1", why: "loopback" },
    { address: "fc00::1", why: "unique local" },
    { address: "fd12:3456:789a::1", why: "unique local" },
    { address: "FD00::1", why: "unique local, upper case" },
    { address: "fe80::1", why: "link-local" },
    { address: "fe80::1%eth0", why: "link-local with zone" },
    { address: "febf::1", why: "link-local" },
    { address: "ff02::1", why: "multicast" },
    { address: "::ffff:127.0.0.1", why: "IPv4-mapped loopback" },
    { address: "::ffff:10.1.2.3", why: "IPv4-mapped private" },
    { address: "::FFFF:169.254.169.254", why: "IPv4-mapped link-local, upper case" },
  ])("refuses IPv6 $address ($why)", ({ address }) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    { address: "64:ff9b::a9fe:a9fe", why: "NAT64 well-known prefix (64:ff9b::/96) of the metadata address" },
    { address: "64:ff9b::808:808", why: "NAT64 well-known prefix, even of a public address" },
    { address: "64:ff9b:1::a9fe:a9fe", why: "NAT64 local use (64:ff9b:1::/48)" },
    { address: "64:ff9b:1:ffff::1", why: "NAT64 local use, end of the range" },
    { address: "2001:0:4136:e378:8000:63bf:3fff:fdd2", why: "Teredo (2001::/32)" },
    { address: "2001::1", why: "Teredo" },
    { address: "2001:2::1", why: "benchmarking (2001:2::/48)" },
    { address: "2001:10::1", why: "ORCHID (2001:10::/28)" },
    { address: "2001:1ff:ffff::1", why: "IETF protocol assignments (2001::/23), end of the range" },
    { address: "2002:a00:1::1", why: "6to4 of 10.0.0.1" },
    { address: "2002:7f00:1::1", why: "6to4 of 127.0.0.1" },
    { address: "2002:a9fe:a9fe::1", why: "6to4 of the metadata address" },
    { address: "::7f00:1", why: "IPv4-compatible loopback (::/96)" },
    { address: "::a9fe:a9fe", why: "IPv4-compatible metadata address" },
    { address: "::ffff:0:a00:1", why: "IPv4-translated (::ffff:0:0:0/96)" },
    { address: "::ffff:a00:1", why: "IPv4-mapped 10.0.0.1 in hex" },
    { address: "100::1", why: "discard-only (100::/64)" },
    { address: "3fff::1", why: "documentation (3fff::/20)" },
    { address: "5f00::1", why: "SRv6 SIDs (5f00::/16)" },
    { address: "fdff:ffff::1", why: "unique local, end of fc00::/7" },
    { address: "fec0::1", why: "site-local (deprecated)" },
    { address: "ff05::2", why: "site-local multicast" },
    { address: "192.88.99.1", why: "6to4 relay anycast (deprecated)" },
  ])("refuses special-purpose $address ($why)", ({ address }) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(["2001:200::1", "2001:4860:4860::8844", "2003::1", "2620:fe::fe", "64:ff9a::1", "64:ff9b:2::1"])("allows public IPv6 %s just outside the special ranges", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it.each(["2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])("allows public IPv6 %s", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it.each(["", "localhost", "example.com", "256.0.0.1", "1.2.3", "1.2.3.4.5", "::ffff:999.0.0.1", "not an address"])(
    "refuses %p, which is not an IP address (fails closed)",
    (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    },
  );
});
