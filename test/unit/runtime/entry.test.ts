/**
 * The entry point (functions/index.ts) as Cloud Functions loads it: configuration is checked when
 * the instance starts, so a bad value stops it before any request, naming the variable; a good one
 * builds the runtime once and registers every target.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGETS } from '../../../functions/targets';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skyfed-entry-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads a fresh copy of functions/index.ts with `env` as the whole SKYFED_ environment. */
async function start(env: Record<string, string>): Promise<{ http: string[]; events: string[] }> {
  const saved = process.env;
  process.env = { ...Object.fromEntries(Object.entries(saved).filter(([k]) => !k.startsWith('SKYFED_'))), SKYFED_KEY_FILE: join(dir, 'kek.key'), ...env };
  try {
    let registered: { http: string[]; events: string[] } | undefined;
    await jest.isolateModulesAsync(async () => {
      ({ registered } = await import('../../../functions'));
    });
    return registered as { http: string[]; events: string[] };
  } finally {
    process.env = saved;
  }
}

const good = { SKYFED_PROJECT: 'p', SKYFED_API_TOKENS: 'tok-0123456789abcdef=a:admin' };

test('a good configuration registers every target in the manifest, by kind, and nothing else', async () => {
  const registered = await start(good);
  expect([...registered.http].sort()).toEqual(
    TARGETS.filter((t) => t.kind === 'http')
      .map((t) => t.name)
      .sort(),
  );
  expect([...registered.events].sort()).toEqual(
    TARGETS.filter((t) => t.kind === 'firestore')
      .map((t) => t.name)
      .sort(),
  );
}, 30_000);

test.each([
  ['SKYFED_DNS_TTL', '0'],
  ['SKYFED_ACTIVE_PROBES', 'maybe'],
])(
  'a bad %s stops the instance at start, naming the variable',
  async (key, value) => {
    const failure: unknown = await start({ ...good, [key]: value }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'ConfigError', variable: key });
    expect((failure as Error).message).toContain(key);
  },
  30_000,
);

test('a key file that holds no key stops the instance at start, naming the setting', async () => {
  const bad = join(dir, 'not-a-key');
  writeFileSync(bad, 'c2hvcnQ=\n');
  const failure: unknown = await start({ ...good, SKYFED_KEY_FILE: bad }).catch((e: unknown) => e);
  expect(failure).toMatchObject({ name: 'ConfigError', variable: 'SKYFED_KEY_FILE' });
  expect((failure as Error).message).toContain('must hold 32 base64-encoded bytes');
}, 30_000);
