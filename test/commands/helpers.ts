/** Images for the command tests, and a loopback image server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeGridPng, encodeSolidPng } from '../../src/util/png-images.js';

export const redPng = (): Buffer => encodeSolidPng(32, 32, [220, 30, 30]);
export const gridPng = (): Buffer =>
  encodeGridPng(32, [
    [10, 10, 200],
    [10, 200, 10],
    [200, 10, 10],
    [200, 200, 10],
  ]);
export const dataUrl = (bytes: Buffer, mime = 'image/png'): string =>
  `data:${mime};base64,${bytes.toString('base64')}`;

/** Serves `files` by path on 127.0.0.1; anything else 404. */
export async function imageServer(
  files: Record<string, Buffer>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
