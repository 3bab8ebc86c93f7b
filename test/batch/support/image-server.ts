import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodePng } from '../../../src/util/png.js';

/** An RGB test grid of `size` x `size`. */
export function gridPng(size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = i % 251;
  return encodePng({ width: size, height: size, bitDepth: 8, colorType: 2, pixels });
}

export interface ImageServer {
  base: string;
  /** Requests by path, in order. */
  requests: string[];
  /** Statuses to answer before serving, per path (consumed in order). */
  failFirst: Map<string, number[]>;
  /** Answers to paths under `/attachments/held/` wait here until the test calls them. */
  held: (() => void)[];
  close(): Promise<void>;
}

/** Serves `png` for every path on 127.0.0.1, after the scripted failures. */
export async function startImageServer(png: Buffer): Promise<ImageServer> {
  const requests: string[] = [];
  const failFirst = new Map<string, number[]>();
  const held: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const status = failFirst.get(path)?.shift();
    if (status !== undefined) {
      res.writeHead(status).end('nope');
      return;
    }
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    };
    if (path.startsWith('/attachments/held/')) held.push(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/attachments`,
    requests,
    failFirst,
    held,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
