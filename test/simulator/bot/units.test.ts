import { describe, expect, it } from 'vitest';
import { parseCustomId } from '../../../src/simulator/bot/custom-id.js';
import { BotOptionsError, createMidjourneyBot, resolveBotOptions } from '../../../src/simulator/bot/index.js';
import { findBannedWord, parsePrompt } from '../../../src/simulator/bot/prompt.js';
import { FakeWorld } from './fake-world.js';

describe('prompt parsing', () => {
  it('splits text, links and parameters and builds echo and slug', () => {
    const parsed = parsePrompt('https://example.com/a.png  Big  Cat! —AR 2:3 --no red, blue --relax', {
      suffix: ' --v 6',
    });
    expect(parsed.links).toEqual(['https://example.com/a.png']);
    expect(parsed.parameters).toEqual([
      { name: 'ar', value: '2:3' },
      { name: 'no', value: 'red, blue' },
      { name: 'relax', value: '' },
    ]);
    expect(parsed.echo).toMatch(
      /^<https:\/\/s\.mj\.run\/\w{11}> Big Cat! --ar 2:3 --no red, blue --relax --v 6$/,
    );
    expect(parsed.slug).toBe('big_cat');
    expect(parsed.mode).toBe('relaxed');
  });

  it('drops default values and mode switches from the echo when asked', () => {
    const prompt = 'cat --q 1 --s 100.0 --s 250 --ar 1:1 --chaos 5 --fast';
    expect(parsePrompt(prompt, { dropDefaults: true }).echo).toBe('cat --s 250 --chaos 5');
    expect(parsePrompt(prompt).echo).toBe(prompt);
  });

  it('gives the same short link for the same URL', () => {
    expect(parsePrompt('https://example.com/a.png x').echo).toBe(
      parsePrompt('https://example.com/a.png   x').echo,
    );
    expect(parsePrompt('https://example.com/a.png x').echo).not.toBe(
      parsePrompt('https://example.com/b.png x').echo,
    );
  });

  it('falls back to "image" for a slug with no words and caps long slugs', () => {
    expect(parsePrompt('!!! ???').slug).toBe('image');
    expect(parsePrompt('word '.repeat(30)).slug.length).toBeLessThanOrEqual(40);
  });

  it('finds banned words as whole words', () => {
    expect(findBannedWord('So BLOODY good', ['bloody'])).toBe('bloody');
    expect(findBannedWord('bloodyish', ['bloody'])).toBeUndefined();
  });
});

describe('custom_id parsing', () => {
  const id = '0f0e0d0c-0b0a-4908-8706-050403020100';
  it.each([
    [`MJ::JOB::upsample::3::${id}`, { kind: 'upscale', index: 3, jobId: id }],
    [`MJ::JOB::variation::2::${id}`, { kind: 'variation', index: 2, strength: 'Strong', solo: false }],
    [`MJ::JOB::low_variation::1::${id}::SOLO`, { kind: 'variation', strength: 'Subtle', solo: true }],
    [`MJ::JOB::reroll::0::${id}::SOLO`, { kind: 'reroll', jobId: id }],
    [`MJ::JOB::upsample_v6_2x_creative::1::${id}::SOLO`, { kind: 'upscale-enhance', style: 'Creative' }],
    [`MJ::Outpaint::75::1::${id}::SOLO`, { kind: 'zoom', percent: 75 }],
    [`MJ::JOB::pan_up::1::${id}::SOLO`, { kind: 'pan', direction: 'Up' }],
    [`MJ::Prompts::Appeal::${id}`, { kind: 'appeal', jobId: id }],
    ['MJ::iframe::abc-DEF_1', { kind: 'captcha', hash: 'abc-DEF_1' }],
    [`MJ::JOB::upsample::5::${id}`, { kind: 'unsupported' }],
    ['hello', { kind: 'unsupported', customId: 'hello' }],
  ])('%s', (customId, expected) => {
    expect(parseCustomId(customId)).toMatchObject(expected);
  });
});

describe('options', () => {
  it('merges defaults, including nested faults', () => {
    const options = resolveBotOptions({ fastSlots: 12, faults: { outOfOrder: true } });
    expect(options).toMatchObject({
      fastSlots: 12,
      queueSize: 10,
      applicationId: '936929561302675456',
      faults: { outOfOrder: true, neverAnswer: false, botDown: false, skipProgress: false },
    });
  });

  it.each([
    [{ fastSlots: 0 }, 'fastSlots'],
    [{ queueSize: -1 }, 'queueSize'],
    [{ jobDurationMs: 1.5 }, 'jobDurationMs'],
    [{ gridSize: 255 }, 'gridSize'],
    [{ progressSteps: [10, 5] }, 'progressSteps'],
    [{ applicationId: 'abc' }, 'applicationId'],
    [{ relaxedFactor: 0 }, 'relaxedFactor'],
    [{ probabilities: { outage: 2 } }, 'probabilities'],
  ])('rejects %j naming %s', (partial, option) => {
    expect(() => resolveBotOptions(partial)).toThrow(BotOptionsError);
    expect(() => resolveBotOptions(partial)).toThrow(option);
  });

  it('validates scripted rules, account states and modes', () => {
    const bot = createMidjourneyBot(new FakeWorld());
    expect(() => bot.script({ match: 'x', outcome: 'nope' as never })).toThrow('script.outcome');
    expect(() => bot.script({ match: 'x', outcome: 'success', stopAt: 120 })).toThrow('script.stopAt');
    expect(() => bot.script({ match: 'x', outcome: 'success', times: 0 })).toThrow('script.times');
    expect(() => bot.setAccountState('gone' as never)).toThrow('accountState');
    expect(() => bot.setMode('slow' as never)).toThrow('mode');
    let error: unknown;
    try {
      resolveBotOptions({ fastSlots: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'SIM_BOT_INVALID_OPTION', option: 'fastSlots' });
  });
});
