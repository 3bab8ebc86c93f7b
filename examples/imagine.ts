/**
 * The minimal use: one prompt, progress as it comes, the finished grid.
 *
 *   npx tsx examples/imagine.ts "a lighthouse on a cliff at dawn --ar 3:2"
 *
 * With your own account the whole program is:
 *   const mj = new Midjourney({ config: loadConfig() });
 *   const result = await mj.imagine(prompt, { onProgress: (p) => console.log(p.percent) });
 *   console.log(result.imageUrl);
 *   await mj.close();
 */
import { connect } from './connect.js';

const prompt = process.argv[2] ?? 'a lighthouse on a basalt cliff at dawn --ar 3:2';
const { mj, close } = await connect();
try {
  const result = await mj.imagine(prompt, {
    onProgress: (p) => console.error(`progress ${p.percent}%${p.mode ? ` (${p.mode})` : ''}`),
  });
  console.log(result.imageUrl);
  console.log(
    `job ${result.jobId} in ${(result.timings.durationMs / 1000).toFixed(1)} s; buttons: ${Object.keys(result.actions).join(' ')}`,
  );
} finally {
  await close();
}
