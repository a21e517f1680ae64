/**
 * Firestore state that survives restarts: the emulator exports the project into the state dir
 * every couple of seconds and on a clean stop (its admin endpoint
 * `POST /emulator/v1/projects/{p}:export`, measured at 0.1–0.4 s here), and the next start imports
 * the newest complete export (`--import-data`). An export is written under a new name and only then
 * named in LATEST (write, then rename), so a kill -9 mid-export leaves the previous one in use.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Snapshots {
  /** Exports once more now (clean stop) and stops the timer. */
  final(): Promise<void>;
  /** Completed exports so far and the last one's time (ms since epoch). */
  readonly stats: () => { exports: number; lastAt?: number; lastError?: string };
}

/** The metadata file of the newest complete export under `dir`, if any. */
export function latestSnapshot(dir: string): string | undefined {
  const pointer = join(dir, 'LATEST');
  if (!existsSync(pointer)) return undefined;
  const name = readFileSync(pointer, 'utf8').trim();
  const file = join(dir, name, `${name}.overall_export_metadata`);
  return /^s\d+$/.test(name) && existsSync(file) ? file : undefined;
}

async function exportOnce(emulatorHost: string, project: string, dir: string, timeoutMs: number): Promise<void> {
  const name = `s${Date.now()}${String(process.hrtime()[1] % 1000).padStart(3, '0')}`;
  const res = await fetch(`http://${emulatorHost}/emulator/v1/projects/${encodeURIComponent(project)}:export`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ database: `projects/${project}/databases/(default)`, export_directory: dir, export_name: name }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Firestore emulator export: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  await res.text();
  if (!existsSync(join(dir, name, `${name}.overall_export_metadata`))) throw new Error(`Firestore emulator export ${name} wrote no metadata file`);
  const tmp = join(dir, `LATEST.${process.pid}.tmp`);
  writeFileSync(tmp, `${name}\n`);
  renameSync(tmp, join(dir, 'LATEST'));
  for (const old of readdirSync(dir)) if (/^s\d+$/.test(old) && old !== name) rmSync(join(dir, old), { recursive: true, force: true });
}

export function startSnapshots(o: { emulatorHost: string; project: string; dir: string; intervalMs: number; onError?: (e: Error) => void }): Snapshots {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  let exports = 0;
  let lastAt: number | undefined;
  let lastError: string | undefined;
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= exportOnce(o.emulatorHost, o.project, o.dir, 10_000)
      .then(() => {
        exports++;
        lastAt = Date.now();
        lastError = undefined;
      })
      .catch((e: Error) => {
        if (lastError !== e.message) o.onError?.(e);
        lastError = e.message;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    void run();
  }, o.intervalMs);
  timer.unref();
  return {
    final: async () => {
      clearInterval(timer);
      await running;
      await run();
    },
    stats: () => ({ exports, ...(lastAt ? { lastAt } : {}), ...(lastError ? { lastError } : {}) }),
  };
}
