/**
 * Which IP addresses a webhook may reach. The address is first reduced to its canonical bytes
 * (ip-bytes.ts), so every spelling of one address gets the same answer. Then, in order:
 * 1. Not an IP address literal: refused.
 * 2. IPv4: refused when in a special-purpose range (table below): loopback, RFC 1918 private,
 *    carrier-grade NAT, link-local (cloud metadata lives at 169.254.169.254), multicast,
 *    reserved, documentation...
 * 3. IPv6 `::` and `::1`: unspecified and loopback.
 * 4. IPv6 forms that embed an IPv4 address in their last 32 bits: IPv4-mapped `::ffff:0:0/96`,
 *    IPv4-compatible `::/96`, IPv4-translated `::ffff:0:0:0/96`, NAT64 `64:ff9b::/96`. The
 *    embedded IPv4 address is checked by rule 2 and, when refused, named in the reason. Only the
 *    mapped form of a public IPv4 address is allowed (it is how dual-stack sockets spell IPv4);
 *    the others are refused whatever they embed (deprecated, or not ours to route through).
 * 5. Other IPv6: refused in a special-purpose range (table below), and outside global unicast
 *    `2000::/3` (everything else is reserved by IANA).
 * Ranges: https://www.iana.org/assignments/iana-ipv4-special-registry and
 * https://www.iana.org/assignments/iana-ipv6-special-registry; embedding: RFC 4291 §2.5.5,
 * RFC 2765 §2.1, RFC 6052 §2.1.
 */
import { formatIpv4, inPrefix, ipBytes, parsePrefix } from './ip-bytes.js';

interface Range {
  prefix: ReturnType<typeof parsePrefix>;
  reason: string;
}

const table = (entries: readonly [string, number, string][]): Range[] =>
  entries.map(([net, length, label]) => ({
    prefix: parsePrefix(net, length),
    reason: `${label} ${net}/${length}`,
  }));

const IPV4_BLOCKED = table([
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
]);

const IPV6_EXACT = table([
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
]);

/** IPv6 ranges whose last 32 bits are an IPv4 address; `allowPublic` for the mapped form only. */
const IPV6_EMBEDDING: readonly (Range & { allowPublic: boolean })[] = [
  { ...table([['::ffff:0:0', 96, 'IPv4-mapped']])[0]!, allowPublic: true },
  { ...table([['::', 96, 'IPv4-compatible (deprecated)']])[0]!, allowPublic: false },
  { ...table([['::ffff:0:0:0', 96, 'IPv4-translated']])[0]!, allowPublic: false },
  { ...table([['64:ff9b::', 96, 'NAT64']])[0]!, allowPublic: false },
];

const IPV6_BLOCKED = table([
  ['64:ff9b:1::', 48, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
]);

const GLOBAL_UNICAST = parsePrefix('2000::', 3);

const find = (bytes: Uint8Array, ranges: readonly Range[]) => ranges.find((r) => inPrefix(bytes, r.prefix));

function ipv4Reason(bytes: Uint8Array): string | undefined {
  return find(bytes, IPV4_BLOCKED)?.reason;
}

function ipv6Reason(bytes: Uint8Array): string | undefined {
  const exact = find(bytes, IPV6_EXACT);
  if (exact) return exact.reason;
  const embedding = IPV6_EMBEDDING.find((r) => inPrefix(bytes, r.prefix));
  if (embedding) {
    const v4 = bytes.subarray(12);
    const inner = ipv4Reason(v4);
    const label = embedding.reason.replace(/ \S+$/, '');
    if (inner !== undefined) return `${label} ${inner} (embeds ${formatIpv4(v4)})`;
    return embedding.allowPublic ? undefined : embedding.reason;
  }
  const blocked = find(bytes, IPV6_BLOCKED);
  if (blocked) return blocked.reason;
  return inPrefix(bytes, GLOBAL_UNICAST) ? undefined : 'not global unicast (outside 2000::/3)';
}

/**
 * Why `address` must not be contacted, or undefined when it is a public unicast address.
 * Anything that is not an IP address literal is refused too.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const bytes = ipBytes(address);
  if (bytes === undefined) return `not an IP address: "${address}"`;
  return bytes.length === 4 ? ipv4Reason(bytes) : ipv6Reason(bytes);
}
