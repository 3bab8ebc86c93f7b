/**
 * One behaviour against the built-in simulator: every composition root (imagine, start/batch,
 * serve) watches it over the gateway, so the same prompt ends in the same typed outcome everywhere,
 * whatever MJ_WATCH says.
 */
import { describe, expect, it } from 'vitest';
import { openGenerator } from '../../src/batch/open-generator.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
import { openServiceGenerator } from '../../src/service/open-generator.js';
import { silentLogger } from '../../src/util/logger.js';
import { sink } from './helpers.js';

const INVALID = 'a portrait of an astronaut cat --foo bar';
const BANNED = 'a bloody battlefield at night';

async function outcomeOf(generator: { imagine(prompt: string): Promise<unknown> }, prompt: string) {
  return generator.imagine(prompt).then(
    () => 'success',
    (error: Error) => error.name,
  );
}

describe('the built-in simulator, every command', () => {
  for (const watch of [undefined, 'poll']) {
    const env = watch === undefined ? {} : { MJ_WATCH: watch };
    it(`gives the same outcomes in imagine, batch and serve (MJ_WATCH=${watch ?? 'unset'})`, async () => {
      const config = loadConfig({ env, envFile: false });
      const outcomes: Record<string, string[]> = {};

      const stdout = sink();
      for (const prompt of [INVALID, BANNED]) {
        await runCli(['imagine', '--json', prompt], {
          env,
          stdout,
          stderr: sink(),
          signal: new AbortController().signal,
        });
      }
      outcomes.imagine = stdout
        .text()
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { error: { name: string } }).error.name);

      const batch = await openGenerator(config);
      try {
        outcomes.batch = [
          await outcomeOf(batch.generator, INVALID),
          await outcomeOf(batch.generator, BANNED),
        ];
      } finally {
        await batch.close();
      }

      const serve = await openServiceGenerator(config, silentLogger);
      try {
        outcomes.serve = [
          await outcomeOf(serve.generator, INVALID),
          await outcomeOf(serve.generator, BANNED),
        ];
      } finally {
        await serve.close();
      }

      const expected = ['InvalidRequestError', 'PreModerationError'];
      expect(outcomes).toEqual({ imagine: expected, batch: expected, serve: expected });
    });
  }
});
