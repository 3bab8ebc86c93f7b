import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('public API: ownership', () => {
  it('exports the token lease, the file lock and their errors', () => {
    for (const name of [
      'TokenLease',
      'tokenLeaseKey',
      'FileLock',
      'TokenInUseError',
      'LockHeldError',
      'LockLostError',
      'LockFileError',
    ] as const) {
      expect(typeof api[name], name).toBe('function');
    }
    const error = new api.TokenInUseError('/tmp/x.lock', undefined, 0);
    expect(error).toBeInstanceOf(api.WorkerError);
    expect(error.code).toBe('TOKEN_IN_USE');
  });
});
