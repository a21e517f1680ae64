/**
 * The local stand-in for the HTTPS in front of a Cloud Function: terminates TLS and streams each
 * request to the function's plain-HTTP port, unchanged.
 */
import { request } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { TlsMaterial } from './tls';

export interface HttpsFront {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpsFront(tls: TlsMaterial, targetPort: number, port = 0, host = '127.0.0.1'): Promise<HttpsFront> {
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      // Send the headers now: a watch may not write a byte for minutes, and client-go (kubectl wait)
      // does not start its timeout clock on a watch until the response headers arrive.
      res.flushHeaders();
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            reason: 'ServiceUnavailable',
            message: 'the api function is not answering',
            code: 503,
          }),
        );
      } else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
