/**
 * BIND as the referee for skyfed's zone files: `named-checkzone` (Debian package bind9utils) and a
 * real `named` (bind9) serving a zone on a loopback port from a temporary directory, reloaded with
 * SIGHUP. `.ci/run` installs both; a missing binary fails the test with the package to install.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binary(name: string, pkg: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    if (spawnSync('test', ['-x', join(dir, name)]).status === 0) return join(dir, name);
  }
  throw new Error(`${name} not found: install Debian package ${pkg} (apt-get install bind9 bind9utils)`);
}

export function checkZone(origin: string, text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skyfed-checkzone-'));
  try {
    const file = join(dir, 'zone');
    writeFileSync(file, text);
    const r = spawnSync(binary('named-checkzone', 'bind9utils'), ['-k', 'fail', '-n', 'fail', '-i', 'full', origin.replace(/\.$/, ''), file], {
      encoding: 'utf8',
    });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Named {
  readonly port: number;
  readonly resolver: Resolver;
  /** Serves `text` as the zone and waits until named answers with its serial. */
  serve(text: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startNamed(origin: string, text: string): Promise<Named> {
  const dir = mkdtempSync(join(tmpdir(), 'skyfed-named-'));
  const port = await freePort();
  const zoneFile = join(dir, 'zone.db');
  writeFileSync(zoneFile, text);
  writeFileSync(
    join(dir, 'named.conf'),
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-query { any; };
};
controls { };
zone "${origin.replace(/\.$/, '')}" { type primary; file "${zoneFile}"; };
`,
  );
  const proc: ChildProcess = spawn(binary('named', 'bind9'), ['-g', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const serialOf = (t: string): number => Number(/SOA \S+ \S+ \( (\d+)/.exec(t)?.[1] ?? -1);
  const waitSerial = async (serial: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = await resolver.resolveSoa(origin.replace(/\.$/, '')).then(
        (s) => s.serial,
        () => -1,
      );
      if (got === serial) return;
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`named did not serve serial ${serial} (has ${got}):\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitSerial(serialOf(text));
  let bump = 0;
  let served = text;
  const loads = (): number => log.split('all zones loaded').length - 1;
  return {
    port,
    resolver,
    serve: async (next) => {
      if (next === served) return;
      served = next;
      writeFileSync(zoneFile, next);
      // named reloads a primary zone whose file is newer; make the time stamp distinct whatever the clock's resolution.
      const t = Date.now() / 1000 + ++bump;
      utimesSync(zoneFile, t, t);
      const before = loads();
      proc.kill('SIGHUP');
      const deadline = Date.now() + 10_000;
      while (loads() === before) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`named did not reload:\n${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await waitSerial(serialOf(next));
    },
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
