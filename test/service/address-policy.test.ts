import { describe, expect, it } from 'vitest';
import { WebhookTargetError } from '../../src/service/errors.js';
import { forbiddenAddressReason } from '../../src/service/webhooks/address-policy.js';
import { ipBytes } from '../../src/service/webhooks/ip-bytes.js';
import { WebhookTargetPolicy } from '../../src/service/webhooks/target-policy.js';

describe('forbiddenAddressReason', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.1.2', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade/],
    ['0.0.0.0', /this network/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fd12:3456::1', /unique local/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:10.0.0.1', /IPv4-mapped private/],
    ['64:ff9b::a00:1', /NAT64/],
    ['[::1]', /loopback/],
    ['localhost', /not an IP/],
  ])('refuses %s', (address, reason) => {
    expect(forbiddenAddressReason(address)).toMatch(reason);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows public %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });
});

/**
 * IPv6 spellings of loopback, link-local and private IPv4 addresses: as typed in a URL, and as
 * Node's WHATWG URL parser rewrites the host (the form the policy actually sees).
 */
const SMUGGLED: readonly [spelling: string, canonical: string, reason: RegExp][] = [
  ['[::127.0.0.1]', '[::7f00:1]', /IPv4-compatible .*loopback/],
  ['[::7f00:1]', '[::7f00:1]', /IPv4-compatible .*loopback/],
  ['[0:0:0:0:0:0:7f00:1]', '[::7f00:1]', /IPv4-compatible .*loopback/],
  ['[::a9fe:a9fe]', '[::a9fe:a9fe]', /IPv4-compatible .*link-local.*169\.254\.169\.254/],
  ['[::169.254.169.254]', '[::a9fe:a9fe]', /IPv4-compatible .*link-local/],
  ['[::10.0.0.1]', '[::a00:1]', /IPv4-compatible .*private/],
  ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', /IPv4-mapped loopback/],
  ['[::ffff:7f00:1]', '[::ffff:7f00:1]', /IPv4-mapped loopback/],
  ['[0:0:0:0:0:ffff:7f00:1]', '[::ffff:7f00:1]', /IPv4-mapped loopback/],
  ['[0:0:0:0:0:FFFF:127.0.0.1]', '[::ffff:7f00:1]', /IPv4-mapped loopback/],
  ['[::0:ffff:7f00:1]', '[::ffff:7f00:1]', /IPv4-mapped loopback/],
  ['[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', /IPv4-mapped link-local/],
  ['[::ffff:a9fe:a9fe]', '[::ffff:a9fe:a9fe]', /IPv4-mapped link-local/],
  ['[::ffff:192.168.0.1]', '[::ffff:c0a8:1]', /IPv4-mapped private/],
  ['[::ffff:0.0.0.0]', '[::ffff:0:0]', /IPv4-mapped "this network"/],
  ['[::ffff:0:127.0.0.1]', '[::ffff:0:7f00:1]', /IPv4-translated .*loopback/],
  ['[::ffff:0:7f00:1]', '[::ffff:0:7f00:1]', /IPv4-translated .*loopback/],
  ['[::ffff:0:a9fe:a9fe]', '[::ffff:0:a9fe:a9fe]', /IPv4-translated .*link-local/],
  ['[64:ff9b::127.0.0.1]', '[64:ff9b::7f00:1]', /NAT64 loopback/],
  ['[64:ff9b::10.0.0.1]', '[64:ff9b::a00:1]', /NAT64 private/],
  ['[64:ff9b::a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', /NAT64 link-local/],
  ['[0064:ff9b:0000:0000:0000:0000:c0a8:0001]', '[64:ff9b::c0a8:1]', /NAT64 private/],
  ['[0:0:0:0:0:0:0:1]', '[::1]', /loopback ::1/],
  ['[::0.0.0.1]', '[::1]', /loopback ::1/],
  ['[0:0:0:0:0:0:0:0]', '[::]', /unspecified/],
  ['[FE80:0000::0001]', '[fe80::1]', /link-local/],
  ['[::1:7f00:1]', '[::1:7f00:1]', /not global unicast/],
];

describe('forbiddenAddressReason over IPv6 spellings', () => {
  it.each(SMUGGLED)('URL host %s is parsed as %s', (spelling, canonical) => {
    expect(new URL(`http://${spelling}/hook`).hostname).toBe(canonical);
  });

  it.each(SMUGGLED)('refuses %s (as typed)', (spelling, _canonical, reason) => {
    expect(forbiddenAddressReason(spelling)).toMatch(reason);
  });

  it.each(SMUGGLED)('refuses %s as the URL parser writes it (%s)', (_spelling, canonical, reason) => {
    expect(forbiddenAddressReason(canonical)).toMatch(reason);
  });

  it.each(SMUGGLED)('refuses http://%s/hook at submission', async (spelling) => {
    const policy = new WebhookTargetPolicy({ resolve: async () => [] });
    await expect(policy.check(`http://${spelling}/hook`)).rejects.toBeInstanceOf(WebhookTargetError);
  });

  it.each([
    ['::ffff:8.8.8.8', undefined],
    ['::ffff:808:808', undefined],
    ['0:0:0:0:0:ffff:808:808', undefined],
    ['2606:4700::1111', undefined],
    ['2a00:1450:4001:80b::200e', undefined],
    // Public IPv4 inside a form we do not route through: refused by its form.
    ['::8.8.8.8', /IPv4-compatible/],
    ['::ffff:0:808:808', /IPv4-translated/],
    ['64:ff9b::808:808', /NAT64/],
  ])('%s: %s', (address, reason) => {
    if (reason === undefined) expect(forbiddenAddressReason(address)).toBeUndefined();
    else expect(forbiddenAddressReason(address)).toMatch(reason);
  });

  it('refuses the resolver answering with a smuggled spelling (DNS rebinding)', async () => {
    const policy = new WebhookTargetPolicy({ resolve: async () => ['::ffff:7f00:1'] });
    await expect(policy.check('http://rebind.test/x')).rejects.toThrow(/IPv4-mapped loopback/);
  });
});

describe('ipBytes', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['::ffff:127.0.0.1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1]],
    ['[::ffff:7f00:1]', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1]],
    ['1:2:3:4:5:6:1.2.3.4', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4]],
    ['1::1.2.3.4', [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]],
    ['fe80::1%eth0', [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', new Array(16).fill(0)],
  ])('%s', (address, bytes) => {
    expect([...(ipBytes(address) ?? [])]).toEqual(bytes);
  });

  it.each([
    'localhost',
    '1.2.3',
    '0x7f.1',
    '::g',
    '1:2:3:4:5:6:7:8:9',
    '',
  ])('%s is not an address', (text) => {
    expect(ipBytes(text)).toBeUndefined();
  });
});

describe('WebhookTargetPolicy', () => {
  const resolve = async (host: string) => {
    const table: Record<string, string[]> = {
      'public.test': ['93.184.216.34'],
      'internal.test': ['10.0.0.5'],
      'mixed.test': ['93.184.216.34', '127.0.0.1'],
    };
    const found = table[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found;
  };

  it('accepts public names and IPs', async () => {
    const policy = new WebhookTargetPolicy({ resolve });
    await expect(policy.check('https://public.test/hook')).resolves.toBe('https://public.test/hook');
    await expect(policy.check('http://8.8.8.8:8080/x')).resolves.toBe('http://8.8.8.8:8080/x');
  });

  it.each([
    ['http://127.0.0.1:9/hook', /127\.0\.0\.1, loopback/],
    ['http://[::1]/hook', /::1, loopback/],
    ['https://internal.test/hook', /internal\.test resolves to 10\.0\.0\.5, private/],
    ['https://mixed.test/hook', /127\.0\.0\.1, loopback/],
    ['https://missing.test/hook', /cannot resolve missing\.test/],
    ['ftp://public.test/x', /scheme ftp:/],
    ['not a url', /not a valid URL/],
  ])('refuses %s', async (url, reason) => {
    const policy = new WebhookTargetPolicy({ resolve });
    const error = await policy.check(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookTargetError);
    expect((error as Error).message).toMatch(reason);
    expect(error).toMatchObject({ code: 'WEBHOOK_TARGET_FORBIDDEN', status: 400 });
  });

  it('allows private targets when configured to', async () => {
    const policy = new WebhookTargetPolicy({ resolve, allowPrivate: true });
    await expect(policy.check('http://127.0.0.1:9/hook')).resolves.toContain('127.0.0.1');
  });

  it('its connect-time lookup refuses a name that now resolves privately (DNS rebinding)', async () => {
    let answer = '93.184.216.34';
    const policy = new WebhookTargetPolicy({ resolve: async () => [answer] });
    await policy.check('http://rebind.test/x');
    answer = '127.0.0.1';
    const result = await new Promise<{ err: unknown; address: unknown }>((done) =>
      policy.lookup('rebind.test', {}, (err, address) => done({ err, address })),
    );
    expect(result.err).toBeInstanceOf(WebhookTargetError);
  });
});
