/**
 * Runs the local stack as a user does (`node dist/local/stack.js`, built by `npm run build`) in a
 * temporary state directory and kubeconfig, and runs the real kubectl against it.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface KubectlOptions {
  readonly context?: string;
  readonly input?: string;
  /** Another kubectl binary (e.g. one minor version of the gcloud SDK's); default: `kubectl` on PATH. */
  readonly binary?: string;
  /** Discovery cache of this kubectl; default: one per stack. */
  readonly cacheDir?: string;
}

export interface RunningStack {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly output: () => string;
  kubectl(args: readonly string[], opts?: KubectlOptions): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Builds dist/ unless `npm test` already did (it sets SKYFED_PREBUILT). */
export async function buildOnce(): Promise<void> {
  if (process.env['SKYFED_PREBUILT'] === '1') return;
  await new Promise<void>((res, rej) =>
    execFile(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT }, (err, stdout) =>
      err ? rej(new Error(`build failed: ${stdout}`)) : res(),
    ),
  );
}

export async function startStackProcess(extraArgs: readonly string[] = [], existingKubeconfig?: string): Promise<RunningStack> {
  const dir = mkdtempSync(join(tmpdir(), 'skyfed-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  if (existingKubeconfig !== undefined) writeFileSync(kubeconfig, existingKubeconfig);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'dist/local/stack.js'),
      '--port',
      '0',
      '--state-dir',
      join(dir, 'state'),
      '--kubeconfig',
      kubeconfig,
      '--project',
      `e2e-${Date.now()}`,
      '--dns-port',
      '0',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise<void>((res, rej) => {
    // Cold starts of the function processes are slow on a loaded machine; a stack that never gets
    // ready is stopped (SIGINT stops what it started), so no function process outlives the test.
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      rej(new Error(`stack did not become ready:\n${out}`));
    }, 240_000);
    const check = (): void => {
      if (out.includes('ready:')) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`stack exited with ${String(code)}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const kubectl = (args: readonly string[], opts: KubectlOptions = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      const p = execFile(
        opts.binary ?? 'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', opts.cacheDir ?? join(dir, 'kube-cache'), `--context=${opts.context ?? 'federation-cluster'}`, ...args],
        { cwd: ROOT, timeout: 60_000 },
        (err, stdout, stderr) => res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (opts.input !== undefined) p.stdin?.end(opts.input);
    });
  return {
    dir,
    kubeconfig,
    output: () => out,
    kubectl,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** Splits kubectl's table output into rows of cells (columns are separated by 2+ spaces or 1 after a value). */
export function tableRows(stdout: string): string[][] {
  return stdout
    .trim()
    .split('\n')
    .map((l) =>
      l
        .trim()
        .split(/\s{2,}|\s+(?=\S)/)
        .filter(Boolean),
    );
}
