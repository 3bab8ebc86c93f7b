/**
 * Which IP addresses a webhook may reach. Everything that is not globally routable is refused:
 * loopback, RFC 1918 private, carrier-grade NAT, link-local (cloud metadata lives at
 * 169.254.169.254), multicast, reserved and documentation ranges, and their IPv6 counterparts
 * (including IPv4-mapped and NAT64 forms that could smuggle a private IPv4 address).
 * Ranges: https://www.iana.org/assignments/iana-ipv4-special-registry and the IPv6 registry.
 */
import { BlockList, isIP } from 'node:net';

const IPV4_BLOCKED: readonly [string, number, string][] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_BLOCKED: readonly [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b::', 96, 'NAT64'],
  ['64:ff9b:1::', 48, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

function buildList(
  entries: readonly [string, number, string][],
  type: 'ipv4' | 'ipv6',
): [BlockList, string][] {
  return entries.map(([net, prefix, label]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, type);
    return [list, `${label} ${net}/${prefix}`];
  });
}

const V4 = buildList(IPV4_BLOCKED, 'ipv4');
const V6 = buildList(IPV6_BLOCKED, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or -compatible IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const dotted = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/**
 * Why `address` must not be contacted, or undefined when it is a public unicast address.
 * Anything that is not an IP address is refused too.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return V4.find(([list]) => list.check(bare, 'ipv4'))?.[1];
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) {
      const reason = forbiddenAddressReason(v4);
      return reason === undefined ? undefined : `IPv4-mapped ${reason}`;
    }
    return V6.find(([list]) => list.check(bare, 'ipv6'))?.[1];
  }
  return `not an IP address: "${address}"`;
}
