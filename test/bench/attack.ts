/**
 * npm run bench:attack — the attacker's side of issue 8 against the API on the Firestore emulator
 * (through the real functions-framework server): hostile requests tried, how many wrongly
 * succeeded (a refusal expected, or Secret data seen in an answer or at rest), how many answered
 * 5xx for a client-caused condition, and the p99 of reads while 200 watches from one read-only
 * token are open. Prints the figures and writes docs/BENCHMARKS.md.
 */
import { startApiServer } from '../harness/api-server';
import { useEmulator } from '../harness/emulator';
import { runAttack } from './attack-run';
import { table, writeSection } from './report';

const WATCHES = 200;
const READS = 400;
const WATCH_LIMIT = 250;
const SERVICES = 10;

async function main(): Promise<void> {
  const say = (l: string): void => {
    process.stdout.write(`${l}\n`);
  };
  const emu = await useEmulator();
  const api = await startApiServer(undefined, { SKYFED_MAX_WATCHES_PER_USER: String(WATCH_LIMIT) });
  try {
    const r = await runAttack(api.url, api.db, { watches: WATCHES, reads: READS, watchLimit: WATCH_LIMIT, services: SERVICES });
    const rows = Object.entries(r.codes).map(([name, codes]) => {
      const counts = new Map<number, number>();
      for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
      return [name, [...counts].map(([c, n]) => (n > 1 ? `${n} × ${c}` : String(c))).join(', ')];
    });
    const lines = [
      `requests tried: ${r.tried}`,
      `wrongly succeeded: ${r.wronglySucceeded.length}${r.wronglySucceeded.length ? ` (${r.wronglySucceeded.join('; ')})` : ''}`,
      `5xx for client-caused conditions: ${r.serverErrors.length}${r.serverErrors.length ? ` (${r.serverErrors.join('; ')})` : ''}`,
      `reads while ${r.watchesOpen} watches from one read-only token are open: ${r.reads} reads, p50 ${r.readP50Ms.toFixed(0)} ms, p99 ${r.readP99Ms.toFixed(0)} ms, max ${r.readMaxMs.toFixed(0)} ms (no watches: p99 ${r.baselineP99Ms.toFixed(0)} ms)`,
      `CPU while those watches sit idle: ${r.idleWatchCpuPercent.toFixed(0)} % of one core`,
      `phases (ms): ${Object.entries(r.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    ];
    for (const l of lines) say(l);
    writeSection(
      "Attacker's side (`npm run bench:attack`)",
      [
        'Hostile requests against the API (functions-framework server, Firestore emulator), issue 8: bodies before authentication and over the limit, deep nesting, a Secret too large to store, Secret data looked for in every answer and in the stored documents, 50 concurrent patches of one object, watches past the per-caller limit and `timeoutSeconds`; then reads (4 at a time, list and get) timed while watches from one read-only token stay open (shared pollers: one store list per resource and namespace per 500 ms).',
        '',
        table(['attack', 'answers'], rows),
        '',
        ...lines.map((l) => `- ${l}`),
        '',
        `**wrongly succeeded: ${r.wronglySucceeded.length}; 5xx for client-caused conditions: ${r.serverErrors.length}; read p99 with ${r.watchesOpen} watches open: ${r.readP99Ms.toFixed(0)} ms** (targets 0, 0, ≤ 1000 ms).`,
      ].join('\n'),
    );
  } finally {
    await api.close();
    await emu.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
