import { describe, expect, it } from 'vitest';
import { WebhookTargetError } from '../../src/service/errors.js';
import { forbiddenAddressReason } from '../../src/service/webhooks/address-policy.js';
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
