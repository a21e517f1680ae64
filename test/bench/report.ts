/** Benchmark output: prints figures and rewrites this benchmark's section of docs/BENCHMARKS.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

const FILE = join(__dirname, '..', '..', '..', 'docs', 'BENCHMARKS.md');
const HEADER = '# Benchmarks\n\nWritten by `npm run bench:*`; each script replaces its own section. Figures are from the machine named in each section.\n';

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Replaces the section `## <title>` (up to the next `## `) with `body`. */
export function writeSection(title: string, body: string): void {
  const file = process.env['SKYFED_BENCH_FILE'] ?? FILE;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const marker = `## ${title}\n`;
  const section = `${marker}\n_${new Date().toISOString()} — ${machine()}_\n\n${body.trim()}\n\n`;
  const start = old.indexOf(marker);
  let next: string;
  if (start < 0) next = `${old.trimEnd()}\n\n${section}`;
  else {
    const after = old.indexOf('\n## ', start + marker.length);
    next = old.slice(0, start) + section + (after < 0 ? '' : old.slice(after + 1));
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, next.replace(/\n{3,}/g, '\n\n'));
}

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
