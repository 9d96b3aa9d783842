/**
 * The ingest benchmark's baseline, run as a child process: a bare `node:http` server that reads the body,
 * `JSON.parse`s it and answers 202 with an ingest-shaped result. It is the ceiling any Node server parsing the
 * same payload can reach on this machine, so Beckon's figure is read as a fraction of it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveControl } from './child-control.js';

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let accepted = 0;
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      accepted = Array.isArray(body) ? body.length : 0;
    } catch {
      response.writeHead(400).end();
      return;
    }
    const out = JSON.stringify({ accepted, duplicates: 0, rejected: [] });
    response.writeHead(202, { 'content-type': 'application/json; charset=utf-8' }).end(out);
  });
});

await serveControl({
  start: () =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    }),
  stop: () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
});
