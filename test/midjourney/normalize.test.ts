import { describe, expect, it } from 'vitest';
import { normalizePrompt, promptsMatch } from '../../src/midjourney/normalize.js';
import { parseMessage } from '../../src/midjourney/parser.js';
import { loadFixture } from './fixtures.js';

describe('normalizePrompt', () => {
  it.each([
    ['  A red   fox\n in the snow ', 'a red fox in the snow'],
    ['**cat**', 'cat'],
    ['https://example.com/fox.png a fox', '<link> a fox'],
    ['<https://s.mj.run/kZ8pX2aQe0c> a fox', '<link> a fox'],
    ['cat --v 6.0 --ar 3:2', 'cat --ar 3:2 --v 6'],
    ['cat —aspect 3:2 --stylize 250', 'cat --ar 3:2 --s 250'],
    ['cat --q .5 --tile', 'cat --q 0.5 --tile'],
    ['cat --no trees ,cars', 'cat --no trees, cars'],
    ['snake\\_case \\*stars\\*', 'snake_case *stars*'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizePrompt(input)).toBe(expected);
  });
});

describe('promptsMatch', () => {
  it.each([
    ['the same text', 'a red fox', 'a red fox', true],
    ['case and whitespace', 'A  red\tFox', 'a red fox', true],
    ['a link rewritten to s.mj.run', 'https://i.example/x.png fox', '<https://s.mj.run/abc> fox', true],
    [
      'parameters appended from settings',
      'a red fox --ar 3:2',
      'a red fox --ar 3:2 --v 6.1 --style raw',
      true,
    ],
    ['parameter order and aliases', 'fox --stylize 50 --aspect 2:3', 'fox --ar 2:3 --s 50', true],
    ['a default value dropped from the echo', 'fox --q 1 --chaos 0', 'fox --v 6.1', true],
    ['a mode switch dropped from the echo', 'fox --relax', 'fox', true],
    ['em dash typed on a phone', 'fox —ar 16:9', 'fox --ar 16:9', true],
    ['a different text', 'a red fox', 'a blue fox', false],
    ['a word more', 'a red fox', 'a red fox cub', false],
    ['a parameter with another value', 'fox --ar 3:2', 'fox --ar 2:3', false],
    ['a non-default parameter missing from the echo', 'fox --seed 42', 'fox --v 6.1', false],
    ['a changed version', 'fox --v 5.2', 'fox --v 6.1', false],
  ])('%s', (_label, user, echoed, expected) => {
    expect(promptsMatch(user, echoed)).toBe(expected);
  });

  it('matches the prompt echoed in a recorded grid message', () => {
    const echoed = parseMessage(loadFixture('done-grid-turbo')).prompt!;
    expect(
      promptsMatch(
        'https://images.example/fox.jpg  a red fox in the snow, cinematic lighting --ar 3:2',
        echoed,
      ),
    ).toBe(true);
    expect(promptsMatch('a red fox in the snow, cinematic lighting --ar 3:2', echoed)).toBe(false);
  });
});
