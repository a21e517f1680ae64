/** The local HTTPS front passes a watch's response headers on at once, before any body byte. */
import { createServer, Server } from 'node:http';
import { request } from 'node:https';
import { AddressInfo } from 'node:net';
import { HttpsFront, startHttpsFront } from '../../../local/https-front';
import { generateTls } from '../../../local/tls';

let upstream: Server;
let front: HttpsFront;
beforeAll(async () => {
  // Like a watch with nothing to report: headers, then silence.
  upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  front = await startHttpsFront(generateTls(), (upstream.address() as AddressInfo).port);
});
afterAll(async () => {
  await front?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

test('headers reach the client while the body is still empty', async () => {
  const started = Date.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: front.port, path: '/api/v1/services?watch=true', rejectUnauthorized: false }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (e) => {
      if (!req.destroyed) reject(e);
    });
    setTimeout(() => {
      req.destroy();
      resolve(-1);
    }, 3000);
    req.end();
  });
  expect(status).toBe(200);
  expect(Date.now() - started).toBeLessThan(2000);
});
