/**
 * Configuration, parsed once from an injectable environment into a typed object. A bad value fails
 * at start with the name of the key. Nothing else reads process.env.
 */
import { Caller, parseTokens } from './api/auth';
import { ConfigErrorReason, SkyfedError } from './errors';
import { dns1123Label, dns1123Subdomain } from './k8s/validation';
import { Cidr, parseCidr } from './net/address-guard';

export interface Config {
  readonly projectId: string;
  readonly federationName: string;
  readonly dnsSuffix: string;
  readonly apiTokens: ReadonlyMap<string, Caller>;
  readonly trustIam: boolean;
  /** Local KEK file (local stack); ignored when kmsKeyName is set. */
  readonly keyFile: string;
  readonly kmsKeyName?: string;
  /** Let member clusters be plain http on loopback (test doubles). Never in production. */
  readonly allowInsecureLoopbackMembers: boolean;
  /**
   * CIDRs that member API servers and load-balancer probes may dial although they are not global
   * unicast (loopback for the local stack, a private range for clusters on a peered network).
   */
  readonly dialAllow: readonly Cidr[];
  readonly version: string;
  /** Time-out of one call to a member cluster's API. */
  readonly memberTimeoutMs: number;
  /** How many member clusters are worked on at once. */
  readonly concurrency: number;
  /** Open watches one API caller may hold on one instance (more are answered 429). */
  readonly maxWatchesPerUser: number;
  /** Circuit breaker per member (shared/members/breaker.ts). */
  readonly breaker: BreakerSettings;
  readonly dns: DnsConfig;
  readonly sweep: SweepSettings;
  /** Cloud Scheduler job to run for an immediate sweep (projects/P/locations/L/jobs/J); unset = none. */
  readonly sweepJob?: string;
  /** Scheduler API endpoint override (the local stack's scheduler). */
  readonly schedulerEndpoint?: string;
  /** Events not seen for this long are hidden and then deleted. */
  readonly eventTtlSeconds: number;
}

export interface BreakerSettings {
  /** Consecutive member time-outs that open a cluster's breaker. */
  readonly failures: number;
  /** Cool-down before the first half-open probe; doubles after each failed probe, up to maxCoolDownMs. */
  readonly coolDownMs: number;
  readonly maxCoolDownMs: number;
}

export interface DnsConfig {
  readonly provider: 'local' | 'clouddns' | 'route53';
  /** Cloud DNS managed-zone name, or Route 53 hosted-zone id. */
  readonly zone?: string;
  readonly ttl: number;
  readonly maxDeletesPerSweep: number;
  /** Test doubles only: Cloud DNS base URL / Route 53 endpoint. */
  readonly endpoint?: string;
  readonly awsRegion: string;
  /** Keyless Route 53: the AWS role the sweep assumes with its Google ID token (unset: SDK default credentials). */
  readonly awsRoleArn?: string;
  readonly awsWebIdentityAudience: string;
  /** Test doubles only: AWS STS endpoint. */
  readonly stsEndpoint?: string;
}

export interface SweepSettings {
  readonly probeTimeoutMs: number;
  readonly concurrency: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly activeProbes: boolean;
  /** Probe rounds per run (sub-minute detection under a 1-minute schedule) and the gap between them. */
  readonly rounds: number;
  readonly roundIntervalMs: number;
}

/** A setting that cannot be used; `variable` names it, and the instance stops at start. */
export class ConfigError extends SkyfedError<ConfigErrorReason> {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('BadConfiguration', message, options);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** One setting: its environment variable, default, rule and what it does. The README's table is generated from these rows. */
export type Setting =
  | { readonly env: string; readonly kind: 'int'; readonly default: number; readonly min: number; readonly max: number; readonly describe: string }
  | { readonly env: string; readonly kind: 'bool'; readonly default: boolean; readonly describe: string }
  | { readonly env: string; readonly kind: 'string'; readonly default?: string; readonly check?: Check; readonly describe: string };

/** What is wrong with a value (its first problem), or undefined when it is good. */
type Check = (value: string) => string | undefined;

const pattern =
  (re: RegExp, what: string): Check =>
  (v) =>
    re.test(v) ? undefined : `must be ${what}`;
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    allowed.includes(v) ? undefined : `must be ${allowed.join(', ')}`;
const rule =
  (r: (v: string) => string[]): Check =>
  (v) =>
    r(v)[0];
const httpUrl: Check = (v) => {
  try {
    return /^https?:$/.test(new URL(v).protocol) ? undefined : 'must be an http or https URL';
  } catch {
    return 'must be an http or https URL';
  }
};
const cidrList: Check = (v) => {
  for (const x of v
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)) {
    try {
      parseCidr(x);
    } catch {
      return `must be a comma-separated list of CIDRs (${JSON.stringify(x)} is not one)`;
    }
  }
  return undefined;
};

/** Every variable the functions read, in one table. */
export const SETTINGS: readonly Setting[] = [
  { env: 'SKYFED_PROJECT', kind: 'string', describe: 'Google Cloud project (Firestore); falls back to `GOOGLE_CLOUD_PROJECT`, then `GCLOUD_PROJECT`' },
  { env: 'GOOGLE_CLOUD_PROJECT', kind: 'string', describe: 'the project, as the platform sets it; used when `SKYFED_PROJECT` is unset' },
  { env: 'GCLOUD_PROJECT', kind: 'string', describe: 'the project, as older runtimes set it; used when both of the above are unset' },
  {
    env: 'SKYFED_FEDERATION',
    kind: 'string',
    default: 'myfederation',
    check: rule(dns1123Label),
    describe: 'federation name in DNS names (an RFC 1123 label)',
  },
  { env: 'SKYFED_DNS_SUFFIX', kind: 'string', default: 'example.com', check: (v) => rule(dns1123Subdomain)(v.replace(/\.$/, '')), describe: 'DNS zone suffix' },
  { env: 'SKYFED_API_TOKENS', kind: 'string', describe: 'bearer tokens, `TOKEN=user:role,…` with role `admin` or `view`' },
  { env: 'SKYFED_TRUST_IAM', kind: 'bool', default: false, describe: 'accept callers Cloud Run IAM admitted (as admin)' },
  {
    env: 'SKYFED_KMS_KEY',
    kind: 'string',
    check: pattern(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, 'projects/P/locations/L/keyRings/R/cryptoKeys/K'),
    describe: 'Cloud KMS key wrapping Secret data keys (production)',
  },
  {
    env: 'SKYFED_KEY_FILE',
    kind: 'string',
    default: '.skyfed/kek.key',
    describe: 'local key-encryption key file (created on first use, mode 0600); ignored with `SKYFED_KMS_KEY`',
  },
  {
    env: 'SKYFED_ALLOW_INSECURE_LOOPBACK_MEMBERS',
    kind: 'bool',
    default: false,
    describe: 'accept `http://` member API servers on loopback (local simulators only; never in production)',
  },
  {
    env: 'SKYFED_DIAL_ALLOW_CIDRS',
    kind: 'string',
    check: cidrList,
    describe:
      'comma-separated CIDRs that member API servers and probes may dial although they are not global unicast (the local stack sets `127.0.0.0/8,::1/128`; a peered private range in production). Everything else non-public — loopback, link-local/metadata, private, unique-local, NAT64, IPv4-mapped spellings — is refused when written and at every dial',
  },
  {
    env: 'SKYFED_VERSION',
    kind: 'string',
    default: 'v1.30.0-skyfed.0.1.0',
    check: pattern(/^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/, 'a version like v1.30.0'),
    describe: 'the `gitVersion` that `/version` reports',
  },
  { env: 'SKYFED_MEMBER_TIMEOUT_MS', kind: 'int', default: 5000, min: 50, max: 120_000, describe: 'time-out of one call to a member cluster' },
  {
    env: 'SKYFED_CONCURRENCY',
    kind: 'int',
    default: 256,
    min: 1,
    max: 1000,
    describe: 'member clusters worked on at once, each in its own pipeline (health, read, plan, write, status; up to 32 writes in flight per cluster)',
  },
  {
    env: 'SKYFED_BREAKER_FAILURES',
    kind: 'int',
    default: 3,
    min: 1,
    max: 100,
    describe: 'consecutive time-outs of one member that open its circuit breaker (later passes skip it; its shards say why and since when)',
  },
  {
    env: 'SKYFED_BREAKER_COOLDOWN_MS',
    kind: 'int',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    describe: 'wait before a half-open probe of an open member; doubles after each failed probe; a changed Cluster or credentials Secret resets the breaker',
  },
  { env: 'SKYFED_BREAKER_MAX_COOLDOWN_MS', kind: 'int', default: 600_000, min: 100, max: 86_400_000, describe: 'the longest that wait grows to' },
  {
    env: 'SKYFED_MAX_WATCHES_PER_USER',
    kind: 'int',
    default: 250,
    min: 1,
    max: 10_000,
    describe: 'open API watches one caller may hold on one instance (more are `429`)',
  },
  { env: 'SKYFED_DNS_PROVIDER', kind: 'string', default: 'local', check: oneOf('local', 'clouddns', 'route53'), describe: '`local`, `clouddns` or `route53`' },
  { env: 'SKYFED_DNS_ZONE', kind: 'string', describe: 'Cloud DNS managed-zone name / Route 53 hosted-zone id (required unless `local`)' },
  { env: 'SKYFED_DNS_TTL', kind: 'int', default: 30, min: 1, max: 86_400, describe: 'record TTL, seconds' },
  { env: 'SKYFED_MAX_DELETES_PER_SWEEP', kind: 'int', default: 500, min: 1, max: 100_000, describe: 'cap on record-set deletions in one sweep' },
  { env: 'SKYFED_DNS_ENDPOINT', kind: 'string', check: httpUrl, describe: 'Cloud DNS base URL / Route 53 endpoint override (test doubles only)' },
  {
    env: 'SKYFED_AWS_REGION',
    kind: 'string',
    default: 'us-east-1',
    check: pattern(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region like us-east-1'),
    describe: 'AWS region of the Route 53 client',
  },
  {
    env: 'SKYFED_AWS_ROLE_ARN',
    kind: 'string',
    check: pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN'),
    describe:
      "keyless Route 53: the AWS role the sweep assumes with its own Google ID token (AWS STS AssumeRoleWithWebIdentity); unset: the AWS SDK's default credentials, e.g. a mounted credentials file (docs/DEPLOY.md)",
  },
  {
    env: 'SKYFED_AWS_WEB_IDENTITY_AUDIENCE',
    kind: 'string',
    default: 'skyfed-route53',
    describe: 'audience of that Google ID token; the AWS role trusts only this one',
  },
  { env: 'SKYFED_STS_ENDPOINT', kind: 'string', check: httpUrl, describe: 'AWS STS endpoint override (test doubles only)' },
  { env: 'SKYFED_PROBE_TIMEOUT_MS', kind: 'int', default: 2000, min: 50, max: 60_000, describe: 'time-out of one active probe' },
  { env: 'SKYFED_SWEEP_CONCURRENCY', kind: 'int', default: 200, min: 1, max: 10_000, describe: 'probes in flight at once' },
  { env: 'SKYFED_FAILURE_THRESHOLD', kind: 'int', default: 2, min: 1, max: 100, describe: 'consecutive failed sweeps before a shard turns unhealthy' },
  { env: 'SKYFED_SUCCESS_THRESHOLD', kind: 'int', default: 2, min: 1, max: 100, describe: 'consecutive good sweeps before it is healthy again' },
  { env: 'SKYFED_ACTIVE_PROBES', kind: 'bool', default: true, describe: 'probe load-balancer addresses (TCP connect or HTTP GET)' },
  {
    env: 'SKYFED_SWEEP_ROUNDS',
    kind: 'int',
    default: 1,
    min: 1,
    max: 60,
    describe: 'probe rounds per scheduled run (sub-minute detection under a 1-minute schedule)',
  },
  { env: 'SKYFED_SWEEP_ROUND_INTERVAL_MS', kind: 'int', default: 10_000, min: 0, max: 60_000, describe: 'gap between those rounds' },
  {
    env: 'SKYFED_SWEEP_JOB',
    kind: 'string',
    check: pattern(/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/, 'projects/P/locations/L/jobs/J'),
    describe: 'Cloud Scheduler job (`projects/P/locations/L/jobs/J`) to `runJob` for an immediate sweep after a change',
  },
  { env: 'SKYFED_SCHEDULER_ENDPOINT', kind: 'string', check: httpUrl, describe: "Cloud Scheduler API endpoint override (the local stack's scheduler)" },
  {
    env: 'SKYFED_EVENT_TTL_SECONDS',
    kind: 'int',
    default: 3600,
    min: 60,
    max: 30 * 86_400,
    describe: 'Events not seen for this long are hidden, then deleted by the periodic reconcile',
  },
];

function row(key: string, kind: Setting['kind']): Setting {
  const r = SETTINGS.find((x) => x.env === key);
  if (!r || r.kind !== kind) throw new Error(`configuration: ${key} is not a ${kind} setting in SETTINGS`);
  return r;
}

function bool(env: Env, key: string): boolean {
  const r = row(key, 'bool') as Extract<Setting, { kind: 'bool' }>;
  const v = env[key];
  if (v === undefined || v === '') return r.default;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(key, `${key} must be true or false (got ${JSON.stringify(v)})`);
}

function int(env: Env, key: string): number {
  const r = row(key, 'int') as Extract<Setting, { kind: 'int' }>;
  const v = env[key];
  if (v === undefined || v === '') return r.default;
  const n = Number(v);
  if (!Number.isInteger(n) || n < r.min || n > r.max)
    throw new ConfigError(key, `${key} must be an integer from ${r.min} to ${r.max} (got ${JSON.stringify(v)})`);
  return n;
}

function str(env: Env, key: string): string | undefined {
  const r = row(key, 'string') as Extract<Setting, { kind: 'string' }>;
  const v = env[key];
  if (v === undefined || v === '') return r.default;
  const problem = r.check?.(v);
  if (problem) throw new ConfigError(key, `${key} ${problem} (got ${JSON.stringify(v)})`);
  return v;
}

function cidrs(env: Env, key: string): Cidr[] {
  const v = str(env, key);
  return v
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map(parseCidr)
    : [];
}

/** The README's configuration table, generated from SETTINGS (`npm run docs:config`). */
export function settingsMarkdown(): string {
  const dflt = (s: Setting): string => (s.default === undefined ? '—' : `\`${String(s.default)}\``);
  const range = (s: Setting): string => (s.kind === 'int' ? ` (${s.min}–${s.max})` : '');
  return ['| variable | default | what |', '| --- | --- | --- |', ...SETTINGS.map((s) => `| \`${s.env}\` | ${dflt(s)} | ${s.describe}${range(s)} |`)].join(
    '\n',
  );
}

export function loadConfig(env: Env = process.env): Config {
  const projectId = str(env, 'SKYFED_PROJECT') ?? str(env, 'GOOGLE_CLOUD_PROJECT') ?? str(env, 'GCLOUD_PROJECT');
  if (!projectId) throw new ConfigError('SKYFED_PROJECT', 'SKYFED_PROJECT (or GOOGLE_CLOUD_PROJECT) must name the Google Cloud project');
  let apiTokens: Map<string, Caller>;
  try {
    apiTokens = parseTokens(str(env, 'SKYFED_API_TOKENS'));
  } catch (e) {
    throw new ConfigError('SKYFED_API_TOKENS', (e as Error).message, { cause: e });
  }
  const trustIam = bool(env, 'SKYFED_TRUST_IAM');
  if (apiTokens.size === 0 && !trustIam) {
    throw new ConfigError('SKYFED_API_TOKENS', 'SKYFED_API_TOKENS is empty and SKYFED_TRUST_IAM is false: nobody could call the API');
  }
  const kms = str(env, 'SKYFED_KMS_KEY');
  return {
    projectId,
    federationName: str(env, 'SKYFED_FEDERATION') as string,
    dnsSuffix: (str(env, 'SKYFED_DNS_SUFFIX') as string).replace(/\.$/, ''),
    apiTokens,
    trustIam,
    keyFile: str(env, 'SKYFED_KEY_FILE') as string,
    ...(kms ? { kmsKeyName: kms } : {}),
    allowInsecureLoopbackMembers: bool(env, 'SKYFED_ALLOW_INSECURE_LOOPBACK_MEMBERS'),
    dialAllow: cidrs(env, 'SKYFED_DIAL_ALLOW_CIDRS'),
    version: str(env, 'SKYFED_VERSION') as string,
    memberTimeoutMs: int(env, 'SKYFED_MEMBER_TIMEOUT_MS'),
    concurrency: int(env, 'SKYFED_CONCURRENCY'),
    maxWatchesPerUser: int(env, 'SKYFED_MAX_WATCHES_PER_USER'),
    breaker: {
      failures: int(env, 'SKYFED_BREAKER_FAILURES'),
      coolDownMs: int(env, 'SKYFED_BREAKER_COOLDOWN_MS'),
      maxCoolDownMs: int(env, 'SKYFED_BREAKER_MAX_COOLDOWN_MS'),
    },
    dns: dnsConfig(env),
    sweep: {
      probeTimeoutMs: int(env, 'SKYFED_PROBE_TIMEOUT_MS'),
      concurrency: int(env, 'SKYFED_SWEEP_CONCURRENCY'),
      failureThreshold: int(env, 'SKYFED_FAILURE_THRESHOLD'),
      successThreshold: int(env, 'SKYFED_SUCCESS_THRESHOLD'),
      activeProbes: bool(env, 'SKYFED_ACTIVE_PROBES'),
      rounds: int(env, 'SKYFED_SWEEP_ROUNDS'),
      roundIntervalMs: int(env, 'SKYFED_SWEEP_ROUND_INTERVAL_MS'),
    },
    ...(str(env, 'SKYFED_SWEEP_JOB') ? { sweepJob: str(env, 'SKYFED_SWEEP_JOB') as string } : {}),
    ...(str(env, 'SKYFED_SCHEDULER_ENDPOINT') ? { schedulerEndpoint: str(env, 'SKYFED_SCHEDULER_ENDPOINT') as string } : {}),
    eventTtlSeconds: int(env, 'SKYFED_EVENT_TTL_SECONDS'),
  };
}

function dnsConfig(env: Env): DnsConfig {
  const provider = str(env, 'SKYFED_DNS_PROVIDER') as DnsConfig['provider'];
  const zone = str(env, 'SKYFED_DNS_ZONE');
  if (provider !== 'local' && !zone)
    throw new ConfigError('SKYFED_DNS_ZONE', `SKYFED_DNS_ZONE must name the ${provider === 'clouddns' ? 'Cloud DNS managed zone' : 'Route 53 hosted zone id'}`);
  return {
    provider,
    ...(zone ? { zone } : {}),
    ttl: int(env, 'SKYFED_DNS_TTL'),
    maxDeletesPerSweep: int(env, 'SKYFED_MAX_DELETES_PER_SWEEP'),
    ...(str(env, 'SKYFED_DNS_ENDPOINT') ? { endpoint: str(env, 'SKYFED_DNS_ENDPOINT') as string } : {}),
    awsRegion: str(env, 'SKYFED_AWS_REGION') as string,
    ...(str(env, 'SKYFED_AWS_ROLE_ARN') ? { awsRoleArn: str(env, 'SKYFED_AWS_ROLE_ARN') as string } : {}),
    awsWebIdentityAudience: str(env, 'SKYFED_AWS_WEB_IDENTITY_AUDIENCE') as string,
    ...(str(env, 'SKYFED_STS_ENDPOINT') ? { stsEndpoint: str(env, 'SKYFED_STS_ENDPOINT') as string } : {}),
  };
}
