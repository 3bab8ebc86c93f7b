// A child process that tries to take the lock at argv[2] and reports one JSON line on stdout:
// {"acquired":true,"pid"} or {"acquired":false,"holderPid"}. A winner holds the lock until killed,
// so a slow loser cannot take it afresh after the winner's exit and blur who won.
import { LockHeldError } from '../../../src/ownership/errors.js';
import { FileLock } from '../../../src/ownership/file-lock.js';

const path = process.argv[2] as string;
try {
  await FileLock.acquire(path, { purpose: 'takeover race test' });
  process.stdout.write(`${JSON.stringify({ acquired: true, pid: process.pid })}\n`);
  setInterval(() => undefined, 60_000);
} catch (error) {
  if (!(error instanceof LockHeldError)) throw error;
  process.stdout.write(`${JSON.stringify({ acquired: false, holderPid: error.holder?.pid })}\n`);
}
