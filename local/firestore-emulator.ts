/**
 * The real Cloud Firestore emulator (Java 17), as the local stack and the tests run it: located
 * once, started in its own process group so that stopping it takes the `java` child with it, and
 * driven through its REST admin endpoints (Eventarc triggers, wipe).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, realpathSync, WriteStream } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from './processes';

const READY_LINE = 'Dev App Server is now running';
const SCRIPT_IN_SDK = join('platform', 'cloud-firestore-emulator', 'cloud_firestore_emulator');

export const FIRESTORE_EMULATOR_INSTALL_HELP = [
  'Install the Cloud Firestore emulator, which needs Java 17 or later on PATH:',
  '  gcloud from Debian/Ubuntu packages (apt):  apt-get install google-cloud-cli-firestore-emulator openjdk-17-jre-headless',
  "  gcloud from Google's installer/archive:    gcloud components install cloud-firestore-emulator",
  'or set SKYFED_FIRESTORE_EMULATOR to the path of its cloud_firestore_emulator script.',
].join('\n');

export class FirestoreEmulatorNotFoundError extends Error {
  override readonly name = 'FirestoreEmulatorNotFoundError';
}

export class FirestoreEmulatorStartError extends Error {
  override readonly name = 'FirestoreEmulatorStartError';
  constructor(message: string, options?: { cause?: unknown; portInUse?: boolean }) {
    super(message, options);
    this.portInUse = options?.portInUse ?? false;
  }

  /** The emulator could not bind its port (another process took it): another port may work. */
  readonly portInUse: boolean;
}

export interface LocateOptions {
  /** Replaces the SDK-root lookup (PATH, then `gcloud info --format=value(installation.sdk_root)`); for tests. */
  readonly sdkRoot?: () => string | undefined;
}

let gcloudInfoRoot: { root: string | undefined } | undefined;

/** `gcloud info --format=value(installation.sdk_root)` (about half a second; asked once per process). */
function gcloudSdkRoot(): string | undefined {
  if (!gcloudInfoRoot) {
    let root: string | undefined;
    try {
      root =
        execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
          encoding: 'utf8',
          timeout: 30_000,
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim() || undefined;
    } catch {
      root = undefined;
    }
    gcloudInfoRoot = { root };
  }
  return gcloudInfoRoot.root;
}

/** The SDK root that holds the `gcloud` found on PATH (`<root>/bin/gcloud`), without running it. */
function sdkRootBesideGcloud(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'gcloud');
    if (!existsSync(candidate)) continue;
    try {
      return dirname(dirname(realpathSync(candidate)));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Path of the `cloud_firestore_emulator` script: `SKYFED_FIRESTORE_EMULATOR`, else the one in the
 * Cloud SDK root (beside the `gcloud` on PATH when it is there, else as `gcloud info` reports it).
 * Throws FirestoreEmulatorNotFoundError saying how to install it.
 */
export function locateFirestoreEmulator(env: NodeJS.ProcessEnv = process.env, opts: LocateOptions = {}): string {
  const configured = env['SKYFED_FIRESTORE_EMULATOR'];
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new FirestoreEmulatorNotFoundError(`SKYFED_FIRESTORE_EMULATOR=${configured} does not exist.\n${FIRESTORE_EMULATOR_INSTALL_HELP}`);
  }
  if (!opts.sdkRoot) {
    const beside = sdkRootBesideGcloud(env);
    if (beside && existsSync(join(beside, SCRIPT_IN_SDK))) return join(beside, SCRIPT_IN_SDK);
  }
  const root = (opts.sdkRoot ?? gcloudSdkRoot)();
  if (!root) {
    throw new FirestoreEmulatorNotFoundError(
      `Cloud Firestore emulator not found: gcloud is not installed (or \`gcloud info\` failed).\n${FIRESTORE_EMULATOR_INSTALL_HELP}`,
    );
  }
  const script = join(root, SCRIPT_IN_SDK);
  if (existsSync(script)) return script;
  throw new FirestoreEmulatorNotFoundError(`Cloud Firestore emulator not found at ${script}.\n${FIRESTORE_EMULATOR_INSTALL_HELP}`);
}

export interface StartOptions {
  /** Port to serve on; 0 or absent picks a free one. */
  readonly port?: number;
  /** `host:port` that receives Eventarc trigger deliveries (the Eventarc router). */
  readonly functionsEmulator?: string;
  /** Append the emulator's output here; otherwise it is kept in memory only for error messages. */
  readonly logFile?: string;
  /** Environment used to locate and run the emulator (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
  /** An export's `.overall_export_metadata` file to load at start (local/snapshots.ts). */
  readonly importData?: string;
}

export interface FirestoreEmulator {
  /** `127.0.0.1:PORT`, the value for FIRESTORE_EMULATOR_HOST. */
  readonly host: string;
  readonly port: number;
  /** Milliseconds from spawn to the ready line. */
  readonly startMs: number;
  /** Stops the emulator and every process it started (the script's `java`). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Whether any process of the group still runs. A killed `java` is re-parented to init and stays a
 * zombie until init reaps it (about a second here), which `kill(-pgid, 0)` still counts, so on Linux
 * zombies are read from /proc and not counted.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc/self/stat')) return true;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/**
 * Runs the emulator script (`$0 "$@"`) in a process group that dies with this Node process: a
 * watchdog waits for end-of-file on stdin, a pipe only this process holds, which the kernel closes
 * when it exits, even by SIGKILL, and then kills the whole group. stop() signals the group directly.
 */
const GROUP_WATCHDOG = ['exec 3<&0', '{ read -r _ <&3; kill -KILL 0; } &', '"$0" "$@" 3<&- </dev/null &', 'emulator=$!', 'wait "$emulator"'].join('\n');

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** SIGTERM to the whole group (script + java), SIGKILL whatever is left after `graceMs`. */
async function stopGroup(child: ChildProcess, pgid: number, graceMs = 5000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (!(await waitGone(pgid, graceMs))) {
    signalGroup(pgid, 'SIGKILL');
    await waitGone(pgid, 5000);
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/**
 * Starts the emulator and resolves once it serves (about 0.7 s of JVM start on this machine). With
 * port 0 a free port is picked; should another process take it first, start is retried on a new one.
 */
export async function startFirestoreEmulator(opts: StartOptions = {}): Promise<FirestoreEmulator> {
  const t0 = Date.now();
  const env = opts.env ?? process.env;
  const script = locateFirestoreEmulator(env);
  const fixedPort = opts.port && opts.port > 0 ? opts.port : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const port = fixedPort ?? (await freePort());
      return await startOnce(script, port, env, opts, t0);
    } catch (e) {
      if (fixedPort !== undefined || attempt >= 3 || !(e instanceof FirestoreEmulatorStartError) || !e.portInUse) throw e;
    }
  }
}

async function startOnce(script: string, port: number, env: NodeJS.ProcessEnv, opts: StartOptions, t0: number): Promise<FirestoreEmulator> {
  const args = [
    'start',
    '--host=127.0.0.1',
    `--port=${port}`,
    ...(opts.functionsEmulator ? [`--functions_emulator=${opts.functionsEmulator}`] : []),
    ...(opts.importData ? [`--import-data=${opts.importData}`] : []),
  ];
  // detached: own process group, so `kill(-pid)` reaches the java process the script starts.
  const child = spawn('/bin/bash', ['-c', GROUP_WATCHDOG, script, ...args], { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let tail = '';
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new FirestoreEmulatorStartError(`could not run ${script}: ${e.message}`, { cause: e })));
    child.once('exit', (code, signal) =>
      reject(
        new FirestoreEmulatorStartError(
          `Firestore emulator exited (${signal ?? `code ${String(code)}`}) before it was ready ` +
            `(it needs Java 17 or later on PATH); its output:\n${tail.trim()}`,
          { portInUse: /BindException|already in use/i.test(tail) },
        ),
      ),
    );
  });
  exited.catch(() => undefined);
  const pgid = child.pid;
  if (pgid === undefined) return exited;
  // If this process exits without calling stop() (a crash, a killed test run), take the emulator down too.
  const onExit = (): void => signalGroup(pgid, 'SIGKILL');
  process.once('exit', onExit);

  const log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  let ready = false;
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  // Both pipes must be drained for the emulator's whole life, or it blocks once a pipe buffer fills.
  const onOutput = (chunk: Buffer): void => {
    log?.write(chunk);
    if (ready) return;
    tail = (tail + chunk.toString('utf8')).slice(-8000);
    if (tail.includes(READY_LINE)) {
      ready = true;
      resolveReady();
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FirestoreEmulatorStartError(`Firestore emulator not ready after ${timeoutMs} ms on port ${port}:\n${tail.trim()}`)),
      timeoutMs,
    );
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= stopGroup(child, pgid).finally(() => {
      process.removeListener('exit', onExit);
      log?.end();
    });
    return stopped;
  };

  try {
    await Promise.race([readyPromise, exited, timeout]);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return { host: `127.0.0.1:${port}`, port, startMs: Date.now() - t0, stop };
}

export interface TriggerRegistration {
  /** `127.0.0.1:PORT` of the emulator. */
  readonly emulatorHost: string;
  readonly project: string;
  /** The id the delivery URL carries: `/functions/projects/{project}/triggers/{triggerId}`. */
  readonly triggerId: string;
  /** Eventarc path pattern, e.g. `namespaces/{namespace}/services/{service}`. */
  readonly document: string;
  readonly eventType: string;
  readonly database?: string;
}

async function emulatorRequest(method: string, url: string, body?: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Firestore emulator ${method} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
}

/** Registers an Eventarc trigger with the emulator. Re-registering the same id is harmless; there is no unregister. */
export async function registerTrigger(t: TriggerRegistration): Promise<void> {
  const url =
    `http://${t.emulatorHost}/emulator/v1/projects/${encodeURIComponent(t.project)}/eventarcTrigger` + `?eventarcTriggerId=${encodeURIComponent(t.triggerId)}`;
  await emulatorRequest('POST', url, {
    eventType: t.eventType,
    database: t.database ?? '(default)',
    namespace: '(default)',
    document: { value: t.document, matchType: 'PATH_PATTERN' },
  });
}

/** Deletes every document of the project's default database (fires a delete event per triggered document). */
export async function wipe(emulatorHost: string, project: string): Promise<void> {
  await emulatorRequest('DELETE', `http://${emulatorHost}/emulator/v1/projects/${encodeURIComponent(project)}/databases/(default)/documents`);
}
