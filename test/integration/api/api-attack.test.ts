/**
 * Issue 8, "Done when": the attacker's run of `npm run bench:attack` (test/bench/attack-run.ts) at
 * a lean size — every hostile request refused (none wrongly succeeded), none answered 5xx, no
 * Secret data in any answer or stored document, and reads stay fast while many watches from one
 * read-only token are open.
 */
import { ApiServer, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { runAttack } from '../../bench/attack-run';

let emu: TestEmulator;
let api: ApiServer;
beforeAll(async () => {
  emu = await useEmulator();
  api = await startApiServer(undefined, { SKYFED_MAX_WATCHES_PER_USER: '60' });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await emu?.stop();
});

test("attacker's run: 0 wrongly succeeded, 0 5xx, reads as fast with 50 watches open as without", async () => {
  const r = await runAttack(api.url, api.db, { watches: 50, reads: 40, watchLimit: 60, services: 3 });
  expect(r.tried).toBeGreaterThan(60);
  expect(r.wronglySucceeded).toEqual([]);
  expect(r.serverErrors).toEqual([]);
  expect(r.watchesOpen).toBe(50);
  expect(r.reads).toBe(40);
  // ≤ 1 s on an idle machine; on a loaded CI machine, at least no slower than half again the reads' own tail without watches.
  expect(r.readP99Ms).toBeLessThanOrEqual(Math.max(1000, 1.5 * r.baselineP99Ms));
  expect(r.idleWatchCpuPercent).toBeLessThan(50);
}, 120_000);
