import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader } from '../../src/batch/downloader.js';
import { DownloadError } from '../../src/batch/errors.js';
import { runBatch } from '../../src/batch/session.js';
import { decodePng } from '../../src/util/png.js';
import { FakeGenerator } from './support/fake-generator.js';
import { batchFiles, resultLines } from './support/files.js';
import { gridPng, type ImageServer, startImageServer } from './support/image-server.js';
import { settle, waitFor } from './support/manual-clock.js';

let server: ImageServer;
const png = gridPng(64);

beforeAll(async () => {
  server = await startImageServer(png);
});
afterAll(async () => {
  await server.close();
});

describe('Downloader', () => {
  it('retries a failing first attempt and writes the file named from the id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-dl-'));
    server.failFirst.set('/attachments/a.png', [503]);
    const downloader = new Downloader({ dir, minRetryDelayMs: 1 });
    const files = await downloader.save(`${server.base}/a.png?ex=1&hm=sig`, 'fox', true);
    expect(files).toEqual([join(dir, 'fox.png')]);
    expect((await readFile(join(dir, 'fox.png'))).equals(png)).toBe(true);
    expect(server.requests.filter((p) => p === '/attachments/a.png')).toHaveLength(2);
    expect(downloader.attempts).toBe(2);
    expect(await readdir(dir)).toEqual(['fox.png']);
  });

  it('does not retry a 404, and keeps the URL signature out of the message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-dl-'));
    server.failFirst.set('/attachments/gone.png', [404, 404]);
    const downloader = new Downloader({ dir, minRetryDelayMs: 1 });
    const error = await downloader
      .save(`${server.base}/gone.png?hm=secret`, 'x', true)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).status).toBe(404);
    expect((error as Error).message).toMatch(/gone.png answered 404$/);
    expect((error as Error).message).not.toContain('secret');
    expect(server.requests.filter((p) => p === '/attachments/gone.png')).toHaveLength(1);
  });

  it('gives up after the retries with the last status', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-dl-'));
    server.failFirst.set('/attachments/down.png', [500, 500, 500]);
    const downloader = new Downloader({ dir, retries: 2, minRetryDelayMs: 1 });
    await expect(downloader.save(`${server.base}/down.png`, 'x', true)).rejects.toThrowError(/answered 500/);
    expect(server.requests.filter((p) => p === '/attachments/down.png')).toHaveLength(3);
  });

  it('runs at most `concurrency` downloads at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-dl-'));
    const downloader = new Downloader({ dir, concurrency: 2 });
    const before = server.requests.length;
    const saves = Promise.all(
      Array.from({ length: 5 }, (_, i) => downloader.save(`${server.base}/held/c${i}.png`, `c${i}`, false)),
    );
    await waitFor(() => server.held.length === 2, 'two requests at the server');
    await settle();
    expect(server.requests.length - before).toBe(2);
    while (server.requests.length - before < 5 || server.held.length > 0) {
      await waitFor(() => server.held.length > 0, 'a held request');
      server.held.shift()?.();
      await settle(5);
      expect(server.held.length).toBeLessThanOrEqual(2);
    }
    await saves;
    expect((await readdir(dir)).sort()).toEqual(['c0.png', 'c1.png', 'c2.png', 'c3.png', 'c4.png']);
  });

  it('splits a grid into four images of half its size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-dl-'));
    const files = await new Downloader({ dir, split: true }).save(`${server.base}/g.png`, 'g', true);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'g.png',
      'g-1.png',
      'g-2.png',
      'g-3.png',
      'g-4.png',
    ]);
    for (const file of files.slice(1)) {
      const image = decodePng(await readFile(file));
      expect([image.width, image.height]).toEqual([32, 32]);
    }
  });
});

describe('batch with --download', () => {
  it('downloads each result named from the prompt id and lists the files in its line', async () => {
    const files = await batchFiles('{"id":"fox","prompt":"a fox","actions":["U1"]}\n', 'in.jsonl');
    const gen = new FakeGenerator();
    gen.imageBase = server.base;
    const dir = join(files.dir, 'images');
    await runBatch({
      input: files.input,
      out: files.out,
      generator: gen,
      download: { dir, split: true, minRetryDelayMs: 1 },
    });
    const [line] = await resultLines(files.out);
    expect(line?.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'fox.png',
      'fox-1.png',
      'fox-2.png',
      'fox-3.png',
      'fox-4.png',
    ]);
    // An upscale is a single image: not split.
    expect(line?.actions[0]?.files.map((f) => f.slice(dir.length + 1))).toEqual(['fox-U1.png']);
    expect(line?.downloadError).toBeUndefined();
  });

  it('keeps the outcome when a download fails for good, and says so in the line', async () => {
    const files = await batchFiles('a cat\n');
    const gen = new FakeGenerator();
    gen.imageBase = `${server.base}/missing`;
    server.failFirst.set('/attachments/missing/00000000-0000-4000-8000-000000000001.png', [404]);
    const { report } = await runBatch({
      input: files.input,
      out: files.out,
      generator: gen,
      download: { dir: join(files.dir, 'images'), minRetryDelayMs: 1 },
    });
    const [line] = await resultLines(files.out);
    expect(line).toMatchObject({ outcome: 'success', files: [], downloadError: { code: 'DOWNLOAD_FAILED' } });
    expect(report.downloadFailures).toBe(1);
  });
});
