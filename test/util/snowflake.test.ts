import { describe, expect, it } from 'vitest';
import {
  compareSnowflakes,
  isSnowflake,
  SnowflakeGenerator,
  snowflakeFromTimestamp,
  snowflakeTimestamp,
} from '../../src/util/snowflake.js';

describe('snowflakes', () => {
  it('encode their creation time', () => {
    expect(snowflakeTimestamp('175928847299117063')).toBe(1462015105796);
    expect(snowflakeTimestamp(snowflakeFromTimestamp(1_700_000_000_000))).toBe(1_700_000_000_000);
  });

  it('are strictly increasing within one millisecond and past 4096 ids', () => {
    const gen = new SnowflakeGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => gen.next());
    for (let i = 1; i < ids.length; i++) expect(compareSnowflakes(ids[i - 1]!, ids[i]!)).toBe(-1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isSnowflake)).toBe(true);
  });

  it('never go backwards when the clock does', () => {
    let now = 1_700_000_000_000;
    const gen = new SnowflakeGenerator(() => now);
    const a = gen.next();
    now -= 10_000;
    expect(compareSnowflakes(a, gen.next())).toBe(-1);
  });

  it('validate', () => {
    expect(isSnowflake('936929561302675456')).toBe(true);
    expect(isSnowflake('abc')).toBe(false);
    expect(isSnowflake('99999999999999999999')).toBe(false);
  });
});
