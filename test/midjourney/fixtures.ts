import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIMessage } from '../../src/discord/types.js';

const DIR = fileURLToPath(new URL('../fixtures/messages/', import.meta.url));

/** Every recorded message shape, by file name without `.json`. */
export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A fresh copy of a fixture, so a test may mutate it. */
export function loadFixture(name: string): APIMessage {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as APIMessage;
}

export const USER_ID = '1090215648712306718';
export const JOB = '8e2f3d4c-1b5a-4c6d-9e7f-0a1b2c3d4e5f';
export const JOB2 = '5d1c0b9a-8e7f-4a6b-b5c4-d3e2f1a0b9c8';
export const ECHO = 'a red fox in the snow, cinematic lighting --ar 3:2 --v 6.1';
