/**
 * A simulated member that survives restarts: its address (port), token, TLS material, Services,
 * namespaces, ServiceAccounts, Secrets, RBAC, load balancers (address and mode), endpoint counts
 * and knob settings, written as JSON (mode 0600: it holds keys) to one file per cluster, at most
 * 100 ms after each change and on stop, atomically (write, then rename).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TlsMaterial } from '../tls';
import { FakeCluster, FakeClusterOptions } from './cluster';
import { LbMode } from './knobs';
import { Obj } from './state';

interface Snapshot {
  readonly version: 1;
  readonly port: number;
  readonly token: string;
  readonly tls: TlsMaterial;
  readonly namespaces: string[];
  readonly services: Obj[];
  readonly ready: [string, number][];
  readonly counters: { rv: number; nextIp: number; nextNodePort: number; lbCounter: number };
  readonly objects: [string, Obj][];
  readonly namespaceLabels?: [string, Record<string, string>][];
  readonly nodes: [string, { annotations: Record<string, string>; labels: Record<string, string> }][];
  readonly slices: { deleted: string[]; patched: [string, Obj][] };
  readonly lbs: { key: string; ip: string; mode: LbMode }[];
}

export function snapshotOf(c: FakeCluster, port: number): Snapshot {
  return {
    version: 1,
    port,
    token: c.token,
    tls: c.tls,
    namespaces: [...c.state.namespaces],
    services: [...c.state.services.values()],
    ready: [...c.state.ready],
    counters: { rv: c.state.rv, nextIp: c.state.nextIp, nextNodePort: c.state.nextNodePort, lbCounter: c.lbCounter },
    objects: [...c.objects.items],
    namespaceLabels: [...c.objects.namespaceLabels],
    nodes: [...c.nodes.meta],
    slices: { deleted: [...c.slices.deleted], patched: [...c.slices.patched] },
    lbs: [...c.lbs].map(([key, lb]) => ({ key, ip: lb.ip, mode: lb.mode })),
  };
}

function restore(c: FakeCluster, s: Snapshot): void {
  c.state.namespaces.clear();
  for (const n of s.namespaces) c.state.namespaces.add(n);
  for (const o of s.services) c.state.services.set(`${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`, o);
  for (const [k, n] of s.ready) c.state.ready.set(k, n);
  Object.assign(c.state, { rv: s.counters.rv, nextIp: s.counters.nextIp, nextNodePort: s.counters.nextNodePort });
  c.lbCounter = s.counters.lbCounter;
  for (const [k, o] of s.objects) c.objects.items.set(k, o);
  for (const [k, m] of s.nodes) c.nodes.meta.set(k, m);
  for (const [k, l] of s.namespaceLabels ?? []) c.objects.namespaceLabels.set(k, l);
  for (const k of s.slices.deleted) c.slices.deleted.add(k);
  for (const [k, o] of s.slices.patched) c.slices.patched.set(k, o);
  for (const lb of s.lbs) {
    const [, , a, b] = lb.ip.split('.').map(Number);
    c.openLb(lb.key, lb.ip, ((a ?? 0) << 8) | (b ?? 0), 0, lb.mode);
  }
}

export interface PersistentCluster {
  readonly cluster: FakeCluster;
  /** Writes the state now (on stop). */
  flush(): void;
}

function readSnapshot(file: string): Snapshot | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined; // a torn or foreign file: start this member afresh
  }
}

/** Creates the member from `file` when it holds a previous run (same port, token, CA, objects), else afresh; saves every change there. */
export async function startPersistentCluster(index: number, opts: FakeClusterOptions, file: string): Promise<PersistentCluster> {
  const prev = readSnapshot(file);
  let timer: NodeJS.Timeout | undefined;
  let cluster: FakeCluster | undefined = undefined;
  const flush = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (!cluster) return;
    const port = Number(new URL(cluster.url).port);
    if (!port) return;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshotOf(cluster, port)), { mode: 0o600 });
    renameSync(tmp, file);
  };
  const onChange = (): void => {
    timer ??= setTimeout(flush, 100);
  };
  cluster = new FakeCluster(index, { ...opts, onChange, ...(prev ? { identity: { port: prev.port, token: prev.token, tls: prev.tls } } : {}) });
  if (prev) restore(cluster, prev);
  await startWithRetry(cluster, prev?.port);
  flush();
  return { cluster, flush };
}

/** A restarted member wants its old port back; a port still in TIME_WAIT or briefly held is retried for 5 s. */
async function startWithRetry(c: FakeCluster, port: number | undefined): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await c.start();
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE' || Date.now() > deadline) {
        throw new Error(
          `demo cluster ${c.name} cannot get its address 127.0.0.1:${String(port)} back (${(e as Error).message}); start with --fresh to give it a new one`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
