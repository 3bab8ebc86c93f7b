import { describe, expect, it } from 'vitest';
import {
  type CloseAction,
  closeAction,
  describeCloseCode,
} from '../../../src/discord/gateway/close-codes.js';

describe('closeAction', () => {
  // https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
  const table: [number, CloseAction][] = [
    [1_000, 'identify'],
    [1_001, 'resume'],
    [1_006, 'resume'],
    [1_011, 'resume'],
    [4_000, 'resume'],
    [4_001, 'resume'],
    [4_002, 'resume'],
    [4_003, 'identify'],
    [4_004, 'fatal'],
    [4_005, 'identify'],
    [4_007, 'identify'],
    [4_008, 'resume'],
    [4_009, 'identify'],
    [4_010, 'fatal'],
    [4_011, 'fatal'],
    [4_012, 'fatal'],
    [4_013, 'fatal'],
    [4_014, 'fatal'],
    [4_200, 'resume'],
  ];
  it.each(table)('%i -> %s', (code, action) => {
    expect(closeAction(code)).toBe(action);
  });
});

describe('describeCloseCode', () => {
  it('names known codes and passes unknown ones through', () => {
    expect(describeCloseCode(4_004)).toBe('4004 authentication failed (token refused)');
    expect(describeCloseCode(4_321)).toBe('4321');
  });
});
