/** Configuration: one table, checked at start, and the README's section generated from it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSettings } from '../../../local/docs-config';
import { ConfigError, SETTINGS, loadConfig } from '../../../shared/config';

const base = { SKYFED_PROJECT: 'p', SKYFED_API_TOKENS: 'tok-0123456789abcdef=a:admin' };

test('the README configuration section is the generated one (run npm run docs:config)', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  expect(withSettings(readme)).toBe(readme);
});

test('every variable the config reads is in the table, and nothing else in the functions reads the environment', () => {
  const root = join(__dirname, '..', '..', '..');
  const config = readFileSync(join(root, 'shared/config.ts'), 'utf8');
  const read = new Set([...config.matchAll(/'((?:SKYFED|GOOGLE|GCLOUD)_[A-Z0-9_]+)'/g)].map((m) => m[1]));
  expect(config).not.toMatch(/env\['/); // every read goes through a row: str(), int(), bool()
  for (const v of read) expect(SETTINGS.map((s) => s.env)).toContain(v);
  const others = execFileSync('git', ['grep', '-l', 'process.env', '--', 'shared', 'functions'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  expect(others).toEqual(['shared/config.ts']);
});

test.each([
  ['SKYFED_MEMBER_TIMEOUT_MS', '10'],
  ['SKYFED_TRUST_IAM', 'yes'],
  ['SKYFED_DIAL_ALLOW_CIDRS', '10.0.0.0/40'],
  ['SKYFED_DNS_PROVIDER', 'bind'],
  ['SKYFED_FEDERATION', 'Not_A_Label'],
  // Values only the first sweep trigger, KMS call or AWS call would otherwise have refused.
  ['SKYFED_SWEEP_JOB', 'healthSweep'],
  ['SKYFED_KMS_KEY', 'my-key'],
  ['SKYFED_SCHEDULER_ENDPOINT', 'localhost:8080'],
  ['SKYFED_DNS_ENDPOINT', 'ftp://127.0.0.1/dns'],
  ['SKYFED_AWS_REGION', 'Virginia'],
  ['SKYFED_VERSION', '1.30'],
  ['SKYFED_AWS_ROLE_ARN', 'role/skyfed'],
])('a bad %s stops at start, naming the variable', (k, v) => {
  expect(() => loadConfig({ ...base, [k]: v })).toThrow(ConfigError);
  expect(() => loadConfig({ ...base, [k]: v })).toThrow(k);
});

test('well-formed values of the checked settings are taken as they are', () => {
  const c = loadConfig({
    ...base,
    SKYFED_SWEEP_JOB: 'projects/p/locations/us-central1/jobs/healthSweep',
    SKYFED_SCHEDULER_ENDPOINT: 'http://127.0.0.1:8085',
    SKYFED_KMS_KEY: 'projects/p/locations/global/keyRings/r/cryptoKeys/k',
    SKYFED_AWS_REGION: 'us-gov-west-1',
    SKYFED_VERSION: 'v1.30.0+abc',
    SKYFED_DNS_SUFFIX: 'svc.example.org.',
  });
  expect([c.sweepJob, c.schedulerEndpoint, c.kmsKeyName, c.dns.awsRegion, c.version, c.dnsSuffix]).toEqual([
    'projects/p/locations/us-central1/jobs/healthSweep',
    'http://127.0.0.1:8085',
    'projects/p/locations/global/keyRings/r/cryptoKeys/k',
    'us-gov-west-1',
    'v1.30.0+abc',
    'svc.example.org',
  ]);
});

test('defaults come from the table', () => {
  const c = loadConfig(base);
  expect(c.memberTimeoutMs).toBe(5000);
  expect(c.dns.ttl).toBe(30);
  expect(c.dialAllow).toEqual([]);
});

test('every default passes its own check', () => {
  for (const s of SETTINGS) {
    if (s.kind === 'string' && s.default !== undefined && s.check) expect([s.env, s.check(s.default)]).toEqual([s.env, undefined]);
  }
});
