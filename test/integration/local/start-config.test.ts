/**
 * A function instance checks its configuration when it starts, as Cloud Functions starts it (the
 * functions-framework loader requiring the built package): a bad value stops the process before it
 * listens, and its output names the variable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../local/processes';
import { ROOT, buildOnce } from '../../harness/stack';

beforeAll(() => buildOnce(), 120_000);

test('a bad setting stops the instance at start, naming the variable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfed-start-'));
  const env = {
    PATH: process.env['PATH'] ?? '',
    METADATA_SERVER_DETECTION: 'none',
    SKYFED_KEY_FILE: join(dir, 'kek.key'),
    SKYFED_PROJECT: 'start-test',
    SKYFED_API_TOKENS: 'start-test-token-0123456789=a:admin',
    SKYFED_SWEEP_JOB: 'healthSweep',
  };
  const args = [join(ROOT, 'dist/local/function-host.js'), '--target=api', `--port=${await freePort()}`, `--source=${ROOT}`];
  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(process.execPath, args, { env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: stdout + stderr }),
    );
  });
  expect(result.code).not.toBe(0);
  expect(result.out).toContain('SKYFED_SWEEP_JOB must be projects/P/locations/L/jobs/J');
  expect(result.out).not.toContain('Serving function');
}, 60_000);
