/**
 * A tiny HTTP client for API tests: status, parsed body and headers, no throwing on 4xx. It sends
 * the path byte-for-byte (no URL normalisation), so tests can send `..` segments as an attacker would.
 */
import { request } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: string | object; contentType?: string; accept?: string } = {},
): Promise<Reply> {
  const url = new URL(base);
  const headers: Record<string, string> = {};
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  if (opts.accept) headers['accept'] = opts.accept;
  let body: Buffer | undefined;
  if (opts.body !== undefined) {
    body = Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    headers['content-type'] = opts.contentType ?? 'application/json';
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
