/**
 * The local stack: `npm start`. The real Firestore emulator delivering Eventarc CloudEvents, every
 * function target served by functions-framework, the API behind HTTPS with a kubeconfig context
 * for kubectl. Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TARGETS } from '../functions/targets';
import { startEventarcRouter } from './eventarc-router';
import { registerTrigger, startFirestoreEmulator } from './firestore-emulator';
import { startHttpsFront } from './https-front';
import { ContextEntry, writeContexts } from './kubeconfig';
import { FunctionProcess, freePort, startFunction } from './processes';
import { Firestore } from '@google-cloud/firestore';
import { startDemoClusters } from './demo';
import { startLocalDns } from './dns';
import { startLocalScheduler } from './scheduler';
import { latestSnapshot, startSnapshots } from './snapshots';
import { loadOrCreateTls } from './tls';

export interface StackOptions {
  readonly apiPort: number;
  readonly projectId: string;
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly context: string;
  readonly sourceDir: string;
  readonly extraEnv?: Record<string, string>;
  readonly sweepIntervalMs: number;
  readonly reconcileIntervalMs: number;
  readonly demoClusters: number;
  readonly dnsPort: number;
  /** Start empty: forget the Firestore export and the demo clusters' state. */
  readonly fresh?: boolean;
  /** How often Firestore is exported into the state dir (a kill -9 loses at most about this much). */
  readonly snapshotIntervalMs?: number;
  /** Demo load balancers get 127.<demoLbNet + i>.x.y (default 20). */
  readonly demoLbNet?: number;
}

export interface Stack {
  readonly apiUrl: string;
  readonly dnsPort: number;
  readonly firestoreHost: string;
  readonly token: string;
  readonly functions: readonly FunctionProcess[];
  stop(): Promise<void>;
}

function loadOrCreateToken(stateDir: string, name = 'api-token'): string {
  const file = join(stateDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

export async function startStack(o: StackOptions, say: (line: string) => void = () => undefined): Promise<Stack> {
  process.env['METADATA_SERVER_DETECTION'] = 'none';
  const stateDir = resolve(o.stateDir);
  const logDir = join(stateDir, 'logs');
  if (o.fresh) for (const d of ['firestore', 'demo']) rmSync(join(stateDir, d), { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const token = loadOrCreateToken(stateDir);
  // A read-only token too (role view): `kubectl --token="$(cat .skyfed/api-token-view)" auth can-i …`.
  const viewToken = loadOrCreateToken(stateDir, 'api-token-view');
  const tls = loadOrCreateTls(join(stateDir, 'tls'));
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
  };
  try {
    const router = await startEventarcRouter({ port: 0 });
    stoppers.push(() => router.close());
    const snapshotDir = join(stateDir, 'firestore');
    const restored = latestSnapshot(snapshotDir);
    const emulator = await startFirestoreEmulator({
      port: 0,
      functionsEmulator: `127.0.0.1:${router.port}`,
      logFile: join(logDir, 'firestore-emulator.log'),
      ...(restored ? { importData: restored } : {}),
    });
    stoppers.push(() => emulator.stop());
    say(`firestore emulator  ${emulator.host}  (project ${o.projectId}; ${restored ? `restored from ${restored}` : 'empty'})`);
    const snapshots = startSnapshots({
      emulatorHost: emulator.host,
      project: o.projectId,
      dir: snapshotDir,
      intervalMs: o.snapshotIntervalMs ?? 2000,
      onError: (e) => say(`state export failed: ${e.message}`),
    });
    // Runs before the emulator stops (stoppers run in reverse) and after the functions have stopped writing.
    stoppers.push(() => snapshots.final());
    say(`state               ${snapshotDir} (exported every ${(o.snapshotIntervalMs ?? 2000) / 1000} s and on stop; --fresh starts empty)`);

    const env: Record<string, string> = {
      SKYFED_PROJECT: o.projectId,
      GOOGLE_CLOUD_PROJECT: o.projectId,
      FIRESTORE_EMULATOR_HOST: emulator.host,
      METADATA_SERVER_DETECTION: 'none',
      SKYFED_API_TOKENS: `${token}=local-admin:admin,${viewToken}=local-viewer:view`,
      SKYFED_KEY_FILE: join(stateDir, 'kek.key'),
      SKYFED_ALLOW_INSECURE_LOOPBACK_MEMBERS: 'true',
      SKYFED_DIAL_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
      ...(o.extraEnv ?? {}),
    };
    const ports = new Map<string, number>();
    for (const t of TARGETS) ports.set(t.name, await freePort());
    const jobName = (t: string): string => `projects/${o.projectId}/locations/local/jobs/${t}`;
    const scheduler = await startLocalScheduler(
      TARGETS.filter((t) => t.kind === 'http' && t.scheduled).map((t) => ({
        name: jobName(t.name),
        url: `http://127.0.0.1:${String(ports.get(t.name))}/`,
        intervalMs: t.name === 'healthSweep' ? o.sweepIntervalMs : o.reconcileIntervalMs,
      })),
      say,
    );
    stoppers.push(() => scheduler.close());
    env['SKYFED_SWEEP_JOB'] = jobName('healthSweep');
    env['SKYFED_SCHEDULER_ENDPOINT'] = scheduler.endpoint;
    const functions = await Promise.all(
      TARGETS.map(async (t) => {
        const fn = await startFunction({
          target: t.name,
          port: ports.get(t.name) as number,
          sourceDir: o.sourceDir,
          env,
          logDir,
          signature: t.kind === 'http' ? 'http' : 'cloudevent',
          onRestart: (name, code, signal) => say(`function ${name} exited (${signal ?? `code ${String(code)}`}); restarting it`),
        });
        stoppers.push(() => fn.stop());
        if (t.kind === 'firestore') {
          await registerTrigger({ emulatorHost: emulator.host, project: o.projectId, triggerId: t.name, document: t.document, eventType: t.eventType });
          router.route(o.projectId, t.name, fn.url);
        }
        say(`function ${t.name.padEnd(17)} ${fn.url}${t.kind === 'firestore' ? `  ← ${t.document}` : ''}`);
        return fn;
      }),
    );
    process.env['FIRESTORE_EMULATOR_HOST'] = emulator.host;
    const db = new Firestore({ projectId: o.projectId });
    stoppers.push(() => db.terminate());
    const zone = `${(env['SKYFED_DNS_SUFFIX'] ?? 'example.com').replace(/\.$/, '')}.`;
    const dns = await startLocalDns(db, zone, o.dnsPort);
    stoppers.push(() => dns.close());
    say(`dns (UDP+TCP)       127.0.0.1:${dns.port}  zone ${zone}  (dig @127.0.0.1 -p ${dns.port} <name>)`);
    scheduler.start();
    const api = functions.find((f) => f.target === 'api');
    if (!api) throw new Error('no api target');
    const front = await startHttpsFront(tls, api.port, o.apiPort);
    stoppers.push(() => front.close());
    const apiUrl = `https://127.0.0.1:${front.port}`;
    let contexts: ContextEntry[] = [{ context: o.context, server: apiUrl, caPem: tls.caPem, token }];
    if (o.demoClusters > 0) {
      const demo = await startDemoClusters(o.demoClusters, stateDir, dns.port, o.demoLbNet ?? 20);
      stoppers.push(() => demo.stop());
      contexts = [...contexts, ...demo.contexts];
      for (const c of demo.fleet.clusters) say(`demo cluster        ${c.name.padEnd(18)} ${c.url}  (kubectl --context=${c.name})`);
      for (const [name, d] of demo.clusterDns)
        say(
          `demo cluster DNS    ${name.padEnd(18)} 127.0.0.1:${d.port}  (dig @127.0.0.1 -p ${d.port} nginx.mynamespace.${env['SKYFED_FEDERATION'] ?? 'myfederation'}.svc.cluster.local)`,
        );
      say(`demo files          ${demo.dir}/<cluster>.kubeconfig, ${demo.dir}/clusters/<cluster>.yaml`);
    }
    writeContexts(o.kubeconfig, contexts);
    say(`api (HTTPS)         ${apiUrl}`);
    say(`kubeconfig          ${o.kubeconfig}  (context ${o.context}; your other contexts are untouched)`);
    return { apiUrl, dnsPort: dns.port, firestoreHost: emulator.host, token, functions, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** "10s", "2m", "500ms" → milliseconds. */
export function duration(flag: string, v: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(v.trim());
  if (!m) throw new Error(`${flag} must look like 500ms, 10s or 2m (got ${JSON.stringify(v)})`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function count(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

function defaultKubeconfig(env: NodeJS.ProcessEnv): string {
  const first = (env['KUBECONFIG'] ?? '').split(delimiter).find(Boolean);
  return first ?? join(homedir(), '.kube', 'config');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      project: { type: 'string', default: 'skyfed-local' },
      'state-dir': { type: 'string', default: '.skyfed' },
      kubeconfig: { type: 'string' },
      context: { type: 'string', default: 'federation-cluster' },
      'sweep-interval': { type: 'string', default: '10s' },
      'reconcile-interval': { type: 'string', default: '30s' },
      'demo-clusters': { type: 'string', default: '0' },
      'dns-port': { type: 'string', default: '8053' },
      fresh: { type: 'boolean', default: false },
      'snapshot-interval': { type: 'string', default: '2s' },
      'demo-lb-net': { type: 'string', default: '20' },
    },
  });
  const opts: StackOptions = {
    apiPort: Number(values.port),
    projectId: values.project,
    stateDir: values['state-dir'],
    kubeconfig: values.kubeconfig ?? defaultKubeconfig(process.env),
    context: values.context,
    sourceDir: resolve(__dirname, '..', '..'),
    sweepIntervalMs: duration('--sweep-interval', values['sweep-interval']),
    reconcileIntervalMs: duration('--reconcile-interval', values['reconcile-interval']),
    demoClusters: count('--demo-clusters', values['demo-clusters'], 0, 50),
    dnsPort: count('--dns-port', values['dns-port'], 0, 65535),
    fresh: values.fresh,
    snapshotIntervalMs: duration('--snapshot-interval', values['snapshot-interval']),
    demoLbNet: count('--demo-lb-net', values['demo-lb-net'], 1, 200),
  };
  const say = (l: string): void => {
    process.stdout.write(`${l}\n`);
  };
  say('skyfed local stack starting…');
  const stack = await startStack(opts, say);
  say(`ready: kubectl --context=${opts.context} get clusters`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    void stack.stop().then(() => {
      say('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`skyfed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
