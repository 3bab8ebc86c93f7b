/**
 * IP addresses as their canonical bytes: 4 for IPv4, 16 for IPv6. An address has many spellings
 * (`::ffff:127.0.0.1`, `::ffff:7f00:1`, `0:0:0:0:0:ffff:7f00:1`, `[::127.0.0.1]`, a zone id), and
 * a policy that compares text misses some of them; comparing bytes against prefixes cannot.
 */
import { isIP } from 'node:net';

/** `a.b.c.d` as 4 bytes, or undefined when it is not a dotted-quad IPv4 address. */
function parseIpv4(text: string): Uint8Array | undefined {
  if (isIP(text) !== 4) return undefined;
  return Uint8Array.from(text.split('.'), Number);
}

/** An IPv6 address (any spelling `isIP` accepts, embedded dotted quad included) as 16 bytes. */
function parseIpv6(text: string): Uint8Array | undefined {
  if (isIP(text) !== 6) return undefined;
  let groups = text;
  const tail: number[] = [];
  const lastColon = groups.lastIndexOf(':');
  const v4 = parseIpv4(groups.slice(lastColon + 1));
  if (v4 !== undefined) {
    // The last 32 bits written as a dotted quad: two 16-bit groups.
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    groups = groups.slice(0, lastColon + 1);
    // Keep a `::` that precedes the quad; drop a single separating colon.
    if (!groups.endsWith('::')) groups = groups.slice(0, -1);
  }
  const [head = '', rest] = groups.split('::') as [string, string | undefined];
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)));
  const left = words(head);
  const right = [...words(rest ?? ''), ...tail];
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...new Array<number>(fill).fill(0), ...right];
  if (all.length !== 8 || all.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

/**
 * The canonical bytes of `address` (brackets and an IPv6 zone id allowed), or undefined when it
 * is not an IP address literal.
 */
export function ipBytes(address: string): Uint8Array | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return parseIpv4(bare) ?? parseIpv6(bare);
}

/** Parses a `net/prefix` written in either family, for building tables. */
export function parsePrefix(network: string, length: number): { bytes: Uint8Array; length: number } {
  const bytes = ipBytes(network);
  if (bytes === undefined || length < 0 || length > bytes.length * 8) {
    throw new RangeError(`not a network prefix: ${network}/${length}`);
  }
  return { bytes, length };
}

/** Whether the first `length` bits of `address` equal those of `network` (same family). */
export function inPrefix(address: Uint8Array, prefix: { bytes: Uint8Array; length: number }): boolean {
  if (address.length !== prefix.bytes.length) return false;
  let bits = prefix.length;
  for (let i = 0; bits > 0; i += 1, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[i]! & mask) !== (prefix.bytes[i]! & mask)) return false;
  }
  return true;
}

/** Dotted-quad text of 4 bytes. */
export function formatIpv4(bytes: Uint8Array): string {
  return [...bytes].join('.');
}
