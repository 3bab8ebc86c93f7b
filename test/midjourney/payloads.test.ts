import { describe, expect, it } from 'vitest';
import type { APIApplicationCommand } from '../../src/discord/types.js';
import { ValidationError } from '../../src/errors.js';
import { MIDJOURNEY_APPLICATION_ID } from '../../src/midjourney/constants.js';
import {
  buildComponentInteraction,
  buildImagineInteraction,
  randomSessionId,
} from '../../src/midjourney/payloads.js';
import { isSnowflake } from '../../src/util/snowflake.js';

const IMAGINE: APIApplicationCommand = {
  id: '938956540159881230',
  application_id: MIDJOURNEY_APPLICATION_ID,
  version: '1237876415471554623',
  name: 'imagine',
  description: 'Create images with Midjourney',
  type: 1,
  options: [{ type: 3, name: 'prompt', description: 'The prompt to imagine', required: true }],
  dm_permission: true,
};
const GUILD = '1172561292618694696';
const CHANNEL = '1172561293411426325';
const SESSION = 'f3a9c1e07b2d4e5f8a6b9c0d1e2f3a4b';

describe('buildImagineInteraction', () => {
  it('builds the type-2 interaction the Discord client sends', () => {
    const payload = buildImagineInteraction({
      guildId: GUILD,
      channelId: CHANNEL,
      sessionId: SESSION,
      command: IMAGINE,
      prompt: 'a red fox --ar 3:2',
      nonce: '1265623712648101888',
    });
    expect(payload).toEqual({
      type: 2,
      application_id: MIDJOURNEY_APPLICATION_ID,
      guild_id: GUILD,
      channel_id: CHANNEL,
      session_id: SESSION,
      nonce: '1265623712648101888',
      data: {
        version: IMAGINE.version,
        id: IMAGINE.id,
        name: 'imagine',
        type: 1,
        options: [{ type: 3, name: 'prompt', value: 'a red fox --ar 3:2' }],
        application_command: IMAGINE,
        attachments: [],
      },
    });
  });

  it('sends the prompt exactly as given (no markers) and a fresh snowflake nonce each time', () => {
    const input = { channelId: CHANNEL, sessionId: SESSION, command: IMAGINE, prompt: '  fox  ' };
    const a = buildImagineInteraction(input);
    const b = buildImagineInteraction(input);
    expect(a.data.options[0]!.value).toBe('  fox  ');
    expect(isSnowflake(a.nonce)).toBe(true);
    expect(a.nonce).not.toBe(b.nonce);
    expect('guild_id' in a).toBe(false);
  });

  it('refuses bad input with every problem named', () => {
    const attempt = () =>
      buildImagineInteraction({
        applicationId: '1022952195194359889',
        channelId: 'general',
        sessionId: '',
        command: IMAGINE,
        prompt: ' ',
      });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ValidationError).problems.join('\n');
      expect(problems).toMatch(/channelId: not a snowflake \(general\)/);
      expect(problems).toMatch(/sessionId: must not be empty/);
      expect(problems).toMatch(/prompt: must not be empty/);
      expect(problems).toMatch(/applicationId: 1022952195194359889 is not the command's application/);
    }
  });
});

describe('buildComponentInteraction', () => {
  it('builds the type-3 button interaction with the source message flags', () => {
    const payload = buildComponentInteraction({
      applicationId: MIDJOURNEY_APPLICATION_ID,
      guildId: GUILD,
      channelId: CHANNEL,
      sessionId: SESSION,
      messageId: '1240000016777216000',
      messageFlags: 0,
      customId: 'MJ::JOB::upsample::2::8e2f3d4c-1b5a-4c6d-9e7f-0a1b2c3d4e5f',
      nonce: '1265623712648101999',
    });
    expect(payload).toEqual({
      type: 3,
      application_id: MIDJOURNEY_APPLICATION_ID,
      guild_id: GUILD,
      channel_id: CHANNEL,
      message_id: '1240000016777216000',
      message_flags: 0,
      session_id: SESSION,
      nonce: '1265623712648101999',
      data: { component_type: 2, custom_id: 'MJ::JOB::upsample::2::8e2f3d4c-1b5a-4c6d-9e7f-0a1b2c3d4e5f' },
    });
  });

  it('refuses a missing custom_id or bad flags', () => {
    const base = {
      applicationId: MIDJOURNEY_APPLICATION_ID,
      channelId: CHANNEL,
      sessionId: SESSION,
      messageId: '1240000016777216000',
    };
    expect(() => buildComponentInteraction({ ...base, messageFlags: 0, customId: '' })).toThrow(/customId/);
    expect(() => buildComponentInteraction({ ...base, messageFlags: -1, customId: 'x' })).toThrow(
      /messageFlags/,
    );
  });
});

describe('randomSessionId', () => {
  it('is 32 lower-case hex digits, different each time', () => {
    const a = randomSessionId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomSessionId()).not.toBe(a);
  });
});
