import { describe, expect, it } from 'vitest';
import { buildResumeUrl } from '../../../src/discord/gateway/resume-url.js';

const base = 'wss://gateway.discord.gg/?v=10&encoding=json';

describe('buildResumeUrl', () => {
  it("adds the configured version and encoding to Discord's bare resume host", () => {
    expect(buildResumeUrl('wss://gateway-us-east1-b.discord.gg', base)).toBe(
      'wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json',
    );
  });

  it('keeps parameters the resume URL already has', () => {
    expect(buildResumeUrl('ws://127.0.0.1:9/resume?v=9', base)).toBe(
      'ws://127.0.0.1:9/resume?v=9&encoding=json',
    );
  });

  it.each([
    undefined,
    '',
    'not a url',
    'https://example.com',
  ])('falls back to the gateway URL for %o', (value) => {
    expect(buildResumeUrl(value, base)).toBe(base);
  });
});
