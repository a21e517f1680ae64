/**
 * Issue 8, finding 11: every local endpoint — functions-framework processes (HTTP and CloudEvent
 * targets), the Eventarc router, the scheduler, the DNS server, the HTTPS front — listens on
 * 127.0.0.1 only. Checked from the kernel's table of listening sockets, and by connecting through
 * this machine's own non-loopback address (refused) when it has one.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startEventarcRouter } from '../../../local/eventarc-router';
import { startHttpsFront } from '../../../local/https-front';
import { FunctionProcess, freePort, startFunction } from '../../../local/processes';
import { startLocalScheduler } from '../../../local/scheduler';
import { loadOrCreateTls } from '../../../local/tls';
import { startDnsServer, StaticRecordSource } from '../../../shared/nameserver';
import { ROOT, buildOnce } from '../../harness/stack';

const closers: (() => Promise<void>)[] = [];
const ports = new Map<string, number>();

beforeAll(async () => {
  await buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'skyfed-bind-'));
  // The functions build their runtime at start: the key file goes to the test's own directory.
  const env = {
    SKYFED_KEY_FILE: join(dir, 'kek.key'),
    SKYFED_PROJECT: 'bind-test',
    SKYFED_API_TOKENS: 'bind-test-token-0123456789=a:admin',
    METADATA_SERVER_DETECTION: 'none',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  };
  const fns: FunctionProcess[] = await Promise.all([
    startFunction({ target: 'api', port: await freePort(), sourceDir: ROOT, env, logDir: dir, signature: 'http' }),
    startFunction({ target: 'onServiceWritten', port: await freePort(), sourceDir: ROOT, env, logDir: dir, signature: 'cloudevent' }),
  ]);
  for (const f of fns) {
    ports.set(`function ${f.target}`, f.port);
    closers.push(() => f.stop());
  }
  const router = await startEventarcRouter();
  ports.set('eventarc router', router.port);
  closers.push(() => router.close());
  const scheduler = await startLocalScheduler([]);
  ports.set('scheduler', Number(new URL(scheduler.endpoint).port));
  closers.push(() => scheduler.close());
  const dns = await startDnsServer({ host: '127.0.0.1', port: 0, zones: [{ origin: 'example.com.', source: new StaticRecordSource([]) }] });
  ports.set('dns (tcp)', dns.tcpPort);
  closers.push(() => dns.close());
  const front = await startHttpsFront(loadOrCreateTls(join(dir, 'tls')), fns[0]?.port ?? 0);
  ports.set('https front', front.port);
  closers.push(() => front.close());
}, 120_000);
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
});

/** Local addresses of listening TCP sockets on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel writes them). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [addr, p] = (local ?? '').split(':');
      if (state === '0A' && parseInt(p ?? '', 16) === port) out.push(addr ?? '');
    }
  }
  return out;
}

const LOOPBACK_V4 = '0100007F'; // 127.0.0.1, little-endian
const MAPPED_LOOPBACK = '0000000000000000FFFF00000100007F'; // ::ffff:127.0.0.1

const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

const connects = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

test('every local endpoint listens on 127.0.0.1 only', async () => {
  expect(ports.size).toBe(6);
  for (const [name, port] of ports) {
    const bound = listeningAddresses(port);
    if (bound.length > 0)
      expect({ name, bound }).toEqual({ name, bound: bound.map(() => expect.stringMatching(new RegExp(`^(${LOOPBACK_V4}|${MAPPED_LOOPBACK})$`))) });
    expect({ name, loopback: await connects('127.0.0.1', port) }).toEqual({ name, loopback: true });
    if (ownAddress) expect({ name, via: ownAddress, connected: await connects(ownAddress, port) }).toEqual({ name, via: ownAddress, connected: false });
  }
}, 60_000);
