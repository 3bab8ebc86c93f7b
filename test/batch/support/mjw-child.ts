// Entry of `mjw` for child-process tests: the CLI from the sources (through tsx), so a stale dist/
// can never be what is tested.
import { main } from '../../../src/cli/main.js';

await main();
