/**
 * The local stack as an operator runs it, across restarts: `node dist/local/stack.js` in a state dir
 * that outlives one run (same project, same kubeconfig), stopped cleanly (SIGINT) or killed with
 * SIGKILL as a whole process group; the `skyfed` CLI; kubectl; dig; and the stored credentials read
 * back through the store (the API never returns Secret data).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { ROOT } from '../harness/stack';
import { FirestoreObjectStore } from '../../shared/store/firestore';
import { LocalFileKey } from '../../shared/crypto/local-key';
import { openCredentials } from '../../shared/members/credentials';
import { Cluster } from '../../shared/model/cluster';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class OperatorStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'skyfed-op-'));
  readonly kubeconfig = join(this.dir, 'kubeconfig');
  readonly project = `op-${Date.now()}`;
  private child: ChildProcess | undefined;
  private out = '';

  constructor(
    private readonly args: readonly string[],
    private readonly env: Record<string, string> = {},
  ) {}

  get state(): string {
    return join(this.dir, 'state');
  }
  output(): string {
    return this.out;
  }
  dnsPort(): number {
    return Number([...this.out.matchAll(/dig @127\.0\.0\.1 -p (\d+)/g)].pop()?.[1]);
  }
  firestoreHost(): string {
    return [...this.out.matchAll(/firestore emulator {2}(\S+)/g)].pop()?.[1] ?? '';
  }

  /** Starts (or starts again) and resolves at "ready:". */
  async start(extra: readonly string[] = []): Promise<void> {
    this.out = '';
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist/local/stack.js'),
        '--port',
        '0',
        '--dns-port',
        '0',
        '--state-dir',
        this.state,
        '--kubeconfig',
        this.kubeconfig,
        '--project',
        this.project,
        ...this.args,
        ...extra,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...this.env } },
    );
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`stack did not become ready:\n${this.out}`)), 240_000);
      const check = (): void => {
        if (this.out.includes('ready:')) {
          clearTimeout(timer);
          res();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`stack exited with ${String(code)}:\n${this.out}`));
      });
    });
    child.removeAllListeners('exit');
  }

  /** Ctrl-C: a clean stop (final export, demo state saved). */
  stop(): Promise<void> {
    const child = this.child;
    return new Promise<void>((res) => {
      if (!child || child.exitCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGINT');
      setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 30_000).unref();
    });
  }

  /** kill -9 of the whole stack (its process group: the stack and every function process). */
  kill9(): Promise<void> {
    const child = this.child;
    return new Promise<void>((res) => {
      if (!child || child.exitCode !== null) return res();
      child.once('exit', () => res());
      process.kill(-(child.pid as number), 'SIGKILL');
    });
  }

  run(cmd: string, args: readonly string[], input?: string): Promise<Run> {
    return new Promise((res) => {
      const p = execFile(cmd, [...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) p.stdin?.end(input);
    });
  }

  kubectl(args: readonly string[], context = 'federation-cluster', input?: string): Promise<Run> {
    return this.run('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.dir, 'kube-cache'), `--context=${context}`, ...args], input);
  }

  skyfed(args: readonly string[]): Promise<Run> {
    return this.run(process.execPath, [join(ROOT, 'dist/cli/skyfed.js'), ...args, '--kubeconfig', this.kubeconfig]);
  }

  dig(name: string): Promise<string> {
    return this.run('dig', ['@127.0.0.1', '-p', String(this.dnsPort()), name, '+short', '+time=1', '+tries=1']).then((r) => r.stdout.trim());
  }

  /** The kubeconfig stored for a Cluster, unsealed the way the control plane does (store + key file). */
  async storedKubeconfig(cluster: string): Promise<string> {
    const db = new Firestore({ projectId: this.project, host: this.firestoreHost(), ssl: false, customHeaders: { Authorization: 'Bearer owner' } });
    try {
      const store = new FirestoreObjectStore(db);
      const rec = await store.get('clusters', { name: cluster });
      if (!rec) throw new Error(`no Cluster ${cluster} in the store`);
      return (await openCredentials(store, LocalFileKey.loadOrCreate(join(this.state, 'kek.key')), rec.object as unknown as Cluster)).kubeconfig;
    } finally {
      await db.terminate();
    }
  }
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
