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
