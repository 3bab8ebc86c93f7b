import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { InvalidRequestError, PreModerationError } from '../../src/midjourney/errors.js';
import { findBannedWord, precheckPrompt } from '../../src/midjourney/precheck.js';

function refusal(prompt: string, options?: Parameters<typeof precheckPrompt>[1]): unknown {
  try {
    precheckPrompt(prompt, options);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('precheckPrompt', () => {
  it.each([
    'a red fox',
    'a red fox --ar 3:2 --v 6.1 --s 250 --style raw',
    'https://i.example/fox.png a fox --iw 1.5 --no trees, cars',
    'fox --niji --tile --q .5',
    'fox --niji 6 --p',
    'fox —ar 16:9',
    'fox --chaos 100 --weird 3000 --seed 4294967295',
  ])('accepts %j', (prompt) => {
    expect(refusal(prompt)).toBeUndefined();
  });

  it.each([
    ['', undefined, /Empty prompt/],
    ['   \n ', undefined, /Empty prompt/],
    ['--ar 3:2', undefined, /only parameters/],
    ['fox --ar 3', '--ar', /w:h/],
    ['fox --ar 0:2', '--ar', /w:h/],
    ['fox --v abc', '--v', /expects a number, got `abc`/],
    ['fox --s 5000', '--s', /between 0 and 1000/],
    ['fox --foo', '--foo', /Unrecognized parameter/],
    ['fox --foo bar --ar 3:2', '--foo', /Unrecognized parameter/],
    ['fox --ar --v 6', '--ar', /needs a value/],
    ['fox --no', '--no', /needs a value/],
    ['fox --tile yes', '--tile', /takes no value/],
  ])('refuses %j (%s)', (prompt, parameter, notice) => {
    const error = refusal(prompt);
    expect(error).toBeInstanceOf(InvalidRequestError);
    const e = error as InvalidRequestError;
    expect(e.parameter).toBe(parameter);
    expect(e.notice).toMatch(notice);
    expect(e).toMatchObject({ code: 'INVALID_REQUEST', detectedLocally: true, prompt, retryable: false });
  });

  it('refuses a prompt over the length limit, and honours a custom limit', () => {
    expect(refusal('x'.repeat(6001))).toBeInstanceOf(InvalidRequestError);
    expect(refusal('x'.repeat(6000))).toBeUndefined();
    const e = refusal('a red fox', { maxLength: 5 }) as InvalidRequestError;
    expect(e.notice).toMatch(/9 characters, the limit is 5/);
  });

  it('lets unknown parameters through when asked', () => {
    expect(refusal('fox --brandnew 3', { rejectUnknownParameters: false })).toBeUndefined();
  });

  it('refuses a banned word locally, marked as detected locally', () => {
    const error = refusal('A Gory battle --ar 3:2', { bannedWords: ['blood', 'gory'] });
    expect(error).toBeInstanceOf(PreModerationError);
    expect(error).toMatchObject({ code: 'PRE_MODERATION', detectedLocally: true, bannedWord: 'gory' });
    expect((error as PreModerationError).message).toMatch(/local banned-word list/);
  });

  it('validates its options', () => {
    expect(refusal('fox', { maxLength: 0 })).toBeInstanceOf(ValidationError);
  });
});

describe('findBannedWord', () => {
  it('matches whole words and phrases only, ignoring links', () => {
    expect(findBannedWord('a classic car', ['ass'])).toBeUndefined();
    expect(findBannedWord('bloody mess', ['blood'])).toBeUndefined();
    expect(findBannedWord('pools of Blood.', ['blood'])).toBe('blood');
    expect(findBannedWord('a car  crash scene', ['car crash'])).toBe('car crash');
    expect(findBannedWord('https://x.example/blood.png fox', ['blood'])).toBeUndefined();
    expect(findBannedWord('fox', [])).toBeUndefined();
  });
});
