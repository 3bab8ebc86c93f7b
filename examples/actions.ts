/**
 * Buttons on a result: upscale an image, make variations, reroll. Each is a new job through the
 * same pipeline, with the same result and error types.
 *
 *   npx tsx examples/actions.ts
 */
import { connect } from './connect.js';

const { mj, close } = await connect();
try {
  const grid = await mj.imagine('a paper boat on a rainy street --ar 3:2');
  console.log(`grid      ${grid.imageUrl}`);

  // Two buttons at once: each result is told apart ("Image #2" vs "Image #4").
  const [second, fourth] = await Promise.all([mj.upscale(grid, 2), mj.upscale(grid, 4)]);
  console.log(`upscale 2 ${second.imageUrl}`);
  console.log(`upscale 4 ${fourth.imageUrl}`);

  const variations = await mj.variation(grid, 1);
  console.log(`variation ${variations.imageUrl}`);

  const again = await mj.reroll(grid);
  console.log(`reroll    ${again.imageUrl}`);

  // Any other button the result carries, by name (`vary-strong`, `zoom-2x`, ...): see result.actions.
  console.log(`buttons on the grid: ${Object.keys(grid.actions).join(' ')}`);
} finally {
  await close();
}
