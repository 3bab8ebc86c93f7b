/**
 * The browser the dashboard tests drive: Debian's Chromium through playwright-core (Playwright's
 * own browser download does not work on these machines; .ci/run installs the package). Without
 * it the browser tests are skipped with one line saying why, except under CI=true, where a
 * missing browser is a failure.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.MJW_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** True when the browser tests can run; throws under CI when they cannot. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const reason = `${CHROMIUM_PATH} is missing (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`The dashboard browser tests need Chromium: ${reason}`);
  console.log(`skipping the dashboard browser tests: ${reason}`);
  return false;
}
