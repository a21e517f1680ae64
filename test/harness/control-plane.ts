/**
 * The whole control plane in one test process, on the production path: the real Firestore emulator
 * delivers Eventarc CloudEvents (through the local router and a recording relay) to real
 * functions-framework servers running the real handlers. Each test file gets a fresh project id.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Firestore } from '@google-cloud/firestore';
import { handlers } from '../../functions/handlers';
import { Runtime, assemble } from '../../functions/runtime';
import { TARGETS } from '../../functions/targets';
import { startEventarcRouter } from '../../local/eventarc-router';
import { registerTrigger, startFirestoreEmulator } from '../../local/firestore-emulator';
import { loadConfig } from '../../shared/config';
import { LocalFileKey } from '../../shared/crypto/local-key';
import { silentLogger } from '../../shared/log';
import { ADMIN_TOKEN, testProjectId } from './api-server';

export interface Delivery {
  readonly target: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface ControlPlane {
  readonly projectId: string;
  readonly apiUrl: string;
  readonly runtime: Runtime;
  /** Every log line the functions wrote (captured, not printed). */
  readonly logs: string[];
  readonly db: Firestore;
  /** Every event delivery, in order, as the function received it. */
  readonly deliveries: Delivery[];
  readonly functionUrl: (target: string) => string;
  /** Re-sends a recorded delivery to its function (duplicate delivery). */
  redeliver(d: Delivery): Promise<number>;
  /** Waits until no delivery has arrived for `quietMs` and none is in flight. */
  settle(quietMs?: number): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

function post(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function startControlPlane(env: Record<string, string> = {}, opts: { triggers?: boolean } = {}): Promise<ControlPlane> {
  const projectId = testProjectId('cp');
  const router = await startEventarcRouter({ port: 0, logger: silentLogger });
  const emulator = await startFirestoreEmulator({ port: 0, functionsEmulator: `127.0.0.1:${router.port}` });
  process.env['FIRESTORE_EMULATOR_HOST'] = emulator.host;
  process.env['METADATA_SERVER_DETECTION'] = 'none';
  const config = loadConfig({
    SKYFED_PROJECT: projectId,
    SKYFED_API_TOKENS: `${ADMIN_TOKEN}=alice:admin`,
    SKYFED_ALLOW_INSECURE_LOOPBACK_MEMBERS: 'true',
    SKYFED_DIAL_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
    SKYFED_MEMBER_TIMEOUT_MS: '1500',
    ...env,
  });
  const db = new Firestore({ projectId, ignoreUndefinedProperties: true });
  const logs: string[] = [];
  const runtime = assemble(config, db, LocalFileKey.fromBytes(randomBytes(32)), { logSink: (l) => logs.push(l) });
  const fns = handlers(runtime);
  const servers: Server[] = [];
  const urls = new Map<string, string>();
  const id = `${++counter}-${projectId}`;

  const serve = async (target: string, register: (name: string) => void): Promise<string> => {
    const name = `${target}-${id}`;
    register(name);
    const server = getTestServer(name);
    servers.push(server);
    const url = `http://127.0.0.1:${await listen(server)}/`;
    urls.set(target, url);
    return url;
  };
  const apiUrl = (await serve('api', (n) => ff.http(n, fns.http['api'] as ff.HttpFunction))).replace(/\/$/, '');
  await serve('reconcile', (n) => ff.http(n, fns.http['reconcile'] as ff.HttpFunction));
  await serve('healthSweep', (n) => ff.http(n, fns.http['healthSweep'] as ff.HttpFunction));

  const deliveries: Delivery[] = [];
  let inFlight = 0;
  let lastArrival = Date.now();
  for (const t of TARGETS) {
    if (t.kind !== 'firestore' || opts.triggers === false) continue;
    const handler = fns.events[t.name] as ff.CloudEventFunction;
    const fnUrl = await serve(t.name, (n) => ff.cloudEvent(n, handler));
    // A relay that records each delivery, so tests can redeliver it (at-least-once delivery).
    const relay = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers)
            .filter(([k]) => k.startsWith('ce-') || k === 'content-type')
            .map(([k, v]) => [k, String(v)]),
        );
        const d: Delivery = { target: t.name, headers, body: Buffer.concat(chunks) };
        deliveries.push(d);
        inFlight++;
        lastArrival = Date.now();
        post(fnUrl, headers, d.body)
          .then(
            (code) => {
              res.writeHead(code);
              res.end();
            },
            () => {
              res.writeHead(500);
              res.end();
            },
          )
          .finally(() => {
            inFlight--;
            lastArrival = Date.now();
          });
      });
    });
    servers.push(relay);
    const relayPort = await listen(relay);
    await registerTrigger({ emulatorHost: emulator.host, project: projectId, triggerId: t.name, document: t.document, eventType: t.eventType });
    router.route(projectId, t.name, `http://127.0.0.1:${relayPort}/`);
  }

  const settle = async (quietMs = 400): Promise<void> => {
    for (;;) {
      if (inFlight === 0 && Date.now() - lastArrival >= quietMs) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    projectId,
    apiUrl,
    runtime,
    logs,
    db,
    deliveries,
    functionUrl: (t) => urls.get(t) ?? '',
    redeliver: (d) => post(urls.get(d.target) ?? '', d.headers, d.body),
    settle,
    close: async () => {
      await settle(300);
      for (const s of servers) {
        s.closeAllConnections?.();
        await new Promise<void>((r) => s.close(() => r()));
      }
      await db.terminate();
      await router.close();
      await emulator.stop();
    },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
