/**
 * The real Firestore emulator delivering Eventarc CloudEvents through the local router to a real
 * functions-framework CloudEvent function that decodes them with shared/events.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Firestore, GeoPoint as FirestoreGeoPoint, Timestamp } from '@google-cloud/firestore';
import { cloudEvent, CloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { decodeFirestoreCloudEvent, DocumentEvent, FirestoreEventAttributes, GeoPoint } from '../../../shared/events';
import { EventarcRouter, startEventarcRouter } from '../../../local/eventarc-router';
import {
  FirestoreEmulator,
  FirestoreEmulatorNotFoundError,
  locateFirestoreEmulator,
  registerTrigger,
  startFirestoreEmulator,
  wipe,
} from '../../../local/firestore-emulator';
import { jsonLogger } from '../../../shared/log';

const PROJECT = `skyfed-events-${Date.now().toString(36)}`;
const WRITTEN = 'google.cloud.firestore.document.v1.written';

interface Received {
  readonly event: DocumentEvent;
  readonly attributes: FirestoreEventAttributes;
  readonly dataWasBuffer: boolean;
}

const received: Received[] = [];
const routerLog: string[] = [];
let router: EventarcRouter;
let emulator: FirestoreEmulator;
let fn: Server;
let db: Firestore;

cloudEvent('serviceWrittenUnderTest', (ce: CloudEvent<unknown>) => {
  const event = decodeFirestoreCloudEvent(ce);
  received.push({ event, attributes: event.attributes, dataWasBuffer: Buffer.isBuffer(ce.data) });
});

function pgrepCount(pattern: string): number {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(received.map((r) => [r.event.kind, r.event.documentPath]))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const eventFor = (kind: string, path: string, from = 0): Promise<Received> =>
  waitFor(`${kind} ${path}`, () => received.slice(from).find((r) => r.event.kind === kind && r.event.documentPath === path));

beforeAll(async () => {
  router = await startEventarcRouter({ port: 0, logger: jsonLogger('eventarc-router', (l) => routerLog.push(l)) });
  emulator = await startFirestoreEmulator({ port: 0, functionsEmulator: `127.0.0.1:${router.port}` });
  process.stdout.write(`firestore emulator ready in ${emulator.startMs} ms\n`);
  fn = getTestServer('serviceWrittenUnderTest');
  await new Promise<void>((resolve) => fn.listen(0, '127.0.0.1', resolve));
  router.route(PROJECT, 'onServiceWritten', `http://127.0.0.1:${(fn.address() as AddressInfo).port}`);
  await registerTrigger({
    emulatorHost: emulator.host,
    project: PROJECT,
    triggerId: 'onServiceWritten',
    document: 'namespaces/{namespace}/services/{service}',
    eventType: WRITTEN,
  });
  // A second trigger with no route: its deliveries must be refused and logged by the router.
  await registerTrigger({ emulatorHost: emulator.host, project: PROJECT, triggerId: 'onClusterWritten', document: 'clusters/{cluster}', eventType: WRITTEN });
  process.env['METADATA_SERVER_DETECTION'] = 'none';
  process.env['FIRESTORE_EMULATOR_HOST'] = emulator.host;
  db = new Firestore({ projectId: PROJECT });
});

afterAll(async () => {
  await db?.terminate();
  await new Promise<void>((resolve) => (fn?.listening ? fn.close(() => resolve()) : resolve()));
  await emulator?.stop();
  await router?.close();
});

describe('Firestore emulator → Eventarc router → CloudEvent function', () => {
  const path = 'namespaces/ns1/services/web';

  it('delivers a create with the document fields', async () => {
    await db.doc(path).set({
      spec: {
        type: 'LoadBalancer',
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, name: null },
        ],
      },
      generation: 1,
      ratio: 0.5,
      ready: true,
      missing: null,
      createdAt: Timestamp.fromDate(new Date('2024-01-02T03:04:05.678Z')),
      blob: Buffer.from('hi'),
      where: new FirestoreGeoPoint(1.5, -2.5),
    });
    const got = await eventFor('create', path);
    expect(got.dataWasBuffer).toBe(true);
    expect(got.attributes).toMatchObject({
      type: WRITTEN,
      subject: `documents/${path}`,
      document: path,
      database: '(default)',
      datacontenttype: 'application/protobuf',
    });
    expect(got.event.oldValue).toBeUndefined();
    expect(got.event.value?.name).toBe(`projects/${PROJECT}/databases/(default)/documents/${path}`);
    expect(got.event.value?.fields).toStrictEqual({
      spec: {
        type: 'LoadBalancer',
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, name: null },
        ],
      },
      generation: 1,
      ratio: 0.5,
      ready: true,
      missing: null,
      createdAt: '2024-01-02T03:04:05.678Z',
      blob: Buffer.from('hi'),
      where: new GeoPoint(1.5, -2.5),
    });
    expect(got.event.value?.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}Z$/);
  });

  it('delivers an update with the old and new document', async () => {
    const from = received.length;
    await db.doc(path).update({ generation: 2, 'spec.type': 'ClusterIP' });
    const got = await eventFor('update', path, from);
    expect(got.event.value?.fields['generation']).toBe(2);
    expect(got.event.oldValue?.fields['generation']).toBe(1);
    expect((got.event.value?.fields['spec'] as Record<string, unknown>)['type']).toBe('ClusterIP');
    expect((got.event.oldValue?.fields['spec'] as Record<string, unknown>)['type']).toBe('LoadBalancer');
  });

  it('delivers a delete with the old document only', async () => {
    const from = received.length;
    await db.doc(path).delete();
    const got = await eventFor('delete', path, from);
    expect(got.event.value).toBeUndefined();
    expect(got.event.oldValue?.fields['generation']).toBe(2);
  });

  it('does not fire for documents outside the pattern; the router logs an unrouted trigger', async () => {
    const from = received.length;
    await db.doc('namespaces/ns1/secrets/s1').set({ a: 1 });
    await db.doc(`${path}/shards/c1`).set({ healthy: true });
    await db.doc('clusters/c1').set({ a: 1 });
    // The emulator delivers serially and in order: once this one arrives, earlier writes have been delivered.
    await db.doc('namespaces/ns1/services/sentinel').set({ a: 1 });
    await eventFor('create', 'namespaces/ns1/services/sentinel', from);
    expect(received.slice(from).map((r) => r.event.documentPath)).toEqual(['namespaces/ns1/services/sentinel']);
    const line = await waitFor('router no-route log', () => routerLog.find((l) => l.includes('no route') && l.includes('onClusterWritten')));
    expect(JSON.parse(line)).toMatchObject({ severity: 'WARNING', project: PROJECT, triggerId: 'onClusterWritten', ceSubject: 'documents/clusters/c1' });
  });

  it('wipe() empties the database and fires a delete per triggered document', async () => {
    const from = received.length;
    await wipe(emulator.host, PROJECT);
    await eventFor('delete', 'namespaces/ns1/services/sentinel', from);
    expect((await db.collection('namespaces/ns1/secrets').get()).size).toBe(0);
  });
});

describe('Eventarc router', () => {
  it('forwards method, headers and body bytes unchanged and returns the function status', async () => {
    let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: Buffer } | undefined;
    const echo = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) };
        res.writeHead(202, { 'x-fn': 'yes' }).end('accepted');
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      router.route('p2', 'trig', `http://127.0.0.1:${(echo.address() as AddressInfo).port}/hook`);
      const body = Buffer.from([0x0a, 0x00, 0xff, 0x80, 0x41]);
      const res = await fetch(`http://127.0.0.1:${router.port}/functions/projects/p2/triggers/trig`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/protobuf', 'ce-id': 'abc', 'ce-type': WRITTEN, 'ce-subject': 'documents/x/y', 'x-extra': '1' },
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('x-fn')).toBe('yes');
      expect(await res.text()).toBe('accepted');
      expect(seen?.method).toBe('POST');
      expect(seen?.url).toBe('/hook');
      expect(seen?.body.equals(body)).toBe(true);
      expect(seen?.headers).toMatchObject({
        'content-type': 'application/protobuf',
        'ce-id': 'abc',
        'ce-type': WRITTEN,
        'ce-subject': 'documents/x/y',
        'x-extra': '1',
        'content-length': '5',
      });
      const missing = await fetch(`http://127.0.0.1:${router.port}/functions/projects/p2/triggers/other`, { method: 'POST', body: 'x' });
      expect(missing.status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});

describe('locateFirestoreEmulator', () => {
  const expectInstallHelp = (fn: () => unknown): void => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FirestoreEmulatorNotFoundError);
    const message = (err as Error).message;
    expect(message).toContain('gcloud components install cloud-firestore-emulator');
    expect(message).toContain('apt-get install google-cloud-cli-firestore-emulator');
    expect(message).toContain('Java 17');
  };

  it('explains how to install the emulator when SKYFED_FIRESTORE_EMULATOR points nowhere', () => {
    expectInstallHelp(() => locateFirestoreEmulator({ SKYFED_FIRESTORE_EMULATOR: '/nonexistent/cloud_firestore_emulator' }));
  });

  it('explains how to install it when the SDK has no emulator component, or there is no gcloud', () => {
    expectInstallHelp(() => locateFirestoreEmulator({}, { sdkRoot: () => '/nonexistent-sdk' }));
    expectInstallHelp(() => locateFirestoreEmulator({}, { sdkRoot: () => undefined }));
  });

  it('finds the configured script', () => {
    const script = locateFirestoreEmulator(process.env);
    expect(locateFirestoreEmulator({ SKYFED_FIRESTORE_EMULATOR: script })).toBe(script);
  });
});

describe('startFirestoreEmulator with a stand-in script', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skyfed-emu-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    return file;
  };

  it('reports an emulator that exits before it is ready, with its output and the Java hint', async () => {
    const env = { ...process.env, SKYFED_FIRESTORE_EMULATOR: script('dies', 'echo "java: command not found" >&2; exit 127') };
    await expect(startFirestoreEmulator({ env })).rejects.toThrow(/exited \(code 127\).*Java 17[\s\S]*java: command not found/);
  });

  it('stop() kills the whole process tree the script started', async () => {
    const marker = `skyfed-fake-emulator-child-${process.pid}`;
    const env = { ...process.env, SKYFED_FIRESTORE_EMULATOR: script('fake', `(exec -a ${marker} sleep 300) &\necho "Dev App Server is now running."\nwait`) };
    const fake = await startFirestoreEmulator({ env });
    await waitFor('the stand-in child to start', () => (pgrepCount(marker) === 1 ? true : undefined));
    await fake.stop();
    expect(pgrepCount(marker)).toBe(0);
  });

  it('takes the emulator down when the Node process that started it is SIGKILLed', async () => {
    const marker = `skyfed-fake-emulator-orphan-${process.pid}`;
    const fakeScript = script('fake2', `(exec -a ${marker} sleep 300) &\necho "Dev App Server is now running."\nwait`);
    // A separate Node process loads the TypeScript harness through swc, starts the stand-in, and is killed.
    const program = `
      const swc = require('@swc/core');
      require.extensions['.ts'] = (m, f) => m._compile(swc.transformFileSync(f, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, f);
      require(${JSON.stringify(join(__dirname, '../../../local/firestore-emulator.ts'))})
        .startFirestoreEmulator({}).then(() => process.stdout.write('ready\\n'), (e) => { console.error(e); process.exit(1); });`;
    const parent = spawn(process.execPath, ['-e', program], {
      cwd: join(__dirname, '../../..'),
      env: { ...process.env, SKYFED_FIRESTORE_EMULATOR: fakeScript },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        parent.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) resolve();
        });
        parent.once('exit', (code) => reject(new Error(`parent exited with ${String(code)}`)));
      });
      await waitFor('the stand-in child to start', () => (pgrepCount(marker) === 1 ? true : undefined));
      parent.kill('SIGKILL');
      await waitFor('the orphaned emulator to be killed', () => (pgrepCount(marker) === 0 ? true : undefined), 5000);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('stop()', () => {
  it('leaves no emulator process (script or java) behind', async () => {
    const pattern = `cloud.firestore.*--port=${emulator.port}( |$)`;
    expect(pgrepCount(`^java .*CloudFirestore start .*--port=${emulator.port}( |$)`)).toBe(1);
    expect(pgrepCount(pattern)).toBeGreaterThanOrEqual(2); // java, the script and its watchdog
    const t0 = Date.now();
    await emulator.stop();
    process.stdout.write(`firestore emulator stopped in ${Date.now() - t0} ms\n`);
    expect(pgrepCount(pattern)).toBe(0);
    await emulator.stop(); // idempotent
  });
});
