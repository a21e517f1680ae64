/**
 * Configuration, parsed once from an injectable environment into a typed object. A bad value fails
 * at start with the name of the key. Nothing else reads process.env.
 */
import { Caller, parseTokens } from './api/auth';
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
  /** Circuit breaker per member (shared/members/breaker.ts). */
  readonly breaker: BreakerSettings;
  readonly dns: DnsConfig;
  readonly sweep: SweepSettings;
  /** Cloud Scheduler job to run for an immediate sweep (projects/P/locations/L/jobs/J); unset = none. */
  readonly sweepJob?: string;
  /** Scheduler API endpoint override (the local stack's scheduler). */
  readonly schedulerEndpoint?: string;
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

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function bool(env: Env, key: string, dflt: boolean): boolean {
  const v = env[key];
  if (v === undefined || v === '') return dflt;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(`${key} must be true or false (got ${JSON.stringify(v)})`);
}

function int(env: Env, key: string, dflt: number, min: number, max: number): number {
  const v = env[key];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

function cidrs(env: Env, key: string): Cidr[] {
  const v = env[key];
  if (!v) return [];
  return v.split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
    try {
      return parseCidr(x);
    } catch {
      throw new ConfigError(`${key} must be a comma-separated list of CIDRs (got ${JSON.stringify(x)})`);
    }
  });
}

function checked(key: string, value: string, rule: (v: string) => string[]): string {
  const p = rule(value);
  if (p.length) throw new ConfigError(`${key}: ${p[0]}`);
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const projectId = env['SKYFED_PROJECT'] ?? env['GOOGLE_CLOUD_PROJECT'] ?? env['GCLOUD_PROJECT'];
  if (!projectId) throw new ConfigError('SKYFED_PROJECT (or GOOGLE_CLOUD_PROJECT) must name the Google Cloud project');
  let apiTokens: Map<string, Caller>;
  try {
    apiTokens = parseTokens(env['SKYFED_API_TOKENS']);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const trustIam = bool(env, 'SKYFED_TRUST_IAM', false);
  if (apiTokens.size === 0 && !trustIam) {
    throw new ConfigError('SKYFED_API_TOKENS is empty and SKYFED_TRUST_IAM is false: nobody could call the API');
  }
  const kms = env['SKYFED_KMS_KEY'];
  return {
    projectId,
    federationName: checked('SKYFED_FEDERATION', env['SKYFED_FEDERATION'] ?? 'myfederation', dns1123Label),
    dnsSuffix: checked('SKYFED_DNS_SUFFIX', (env['SKYFED_DNS_SUFFIX'] ?? 'example.com').replace(/\.$/, ''), dns1123Subdomain),
    apiTokens,
    trustIam,
    keyFile: env['SKYFED_KEY_FILE'] ?? '.skyfed/kek.key',
    ...(kms ? { kmsKeyName: kms } : {}),
    allowInsecureLoopbackMembers: bool(env, 'SKYFED_ALLOW_INSECURE_LOOPBACK_MEMBERS', false),
    dialAllow: cidrs(env, 'SKYFED_DIAL_ALLOW_CIDRS'),
    version: env['SKYFED_VERSION'] ?? 'v1.30.0-skyfed.0.1.0',
    memberTimeoutMs: int(env, 'SKYFED_MEMBER_TIMEOUT_MS', 5000, 50, 120_000),
    concurrency: int(env, 'SKYFED_CONCURRENCY', 256, 1, 1000),
    breaker: {
      failures: int(env, 'SKYFED_BREAKER_FAILURES', 3, 1, 100),
      coolDownMs: int(env, 'SKYFED_BREAKER_COOLDOWN_MS', 30_000, 100, 3_600_000),
      maxCoolDownMs: int(env, 'SKYFED_BREAKER_MAX_COOLDOWN_MS', 600_000, 100, 86_400_000),
    },
    dns: dnsConfig(env),
    sweep: {
      probeTimeoutMs: int(env, 'SKYFED_PROBE_TIMEOUT_MS', 2000, 50, 60_000),
      concurrency: int(env, 'SKYFED_SWEEP_CONCURRENCY', 200, 1, 10_000),
      failureThreshold: int(env, 'SKYFED_FAILURE_THRESHOLD', 2, 1, 100),
      successThreshold: int(env, 'SKYFED_SUCCESS_THRESHOLD', 2, 1, 100),
      activeProbes: bool(env, 'SKYFED_ACTIVE_PROBES', true),
      rounds: int(env, 'SKYFED_SWEEP_ROUNDS', 1, 1, 60),
      roundIntervalMs: int(env, 'SKYFED_SWEEP_ROUND_INTERVAL_MS', 10_000, 0, 60_000),
    },
    ...(env['SKYFED_SWEEP_JOB'] ? { sweepJob: env['SKYFED_SWEEP_JOB'] } : {}),
    ...(env['SKYFED_SCHEDULER_ENDPOINT'] ? { schedulerEndpoint: env['SKYFED_SCHEDULER_ENDPOINT'] } : {}),
  };
}

function dnsConfig(env: Env): DnsConfig {
  const provider = env['SKYFED_DNS_PROVIDER'] ?? 'local';
  if (provider !== 'local' && provider !== 'clouddns' && provider !== 'route53') {
    throw new ConfigError(`SKYFED_DNS_PROVIDER must be local, clouddns or route53 (got ${JSON.stringify(provider)})`);
  }
  const zone = env['SKYFED_DNS_ZONE'];
  if (provider !== 'local' && !zone) throw new ConfigError(`SKYFED_DNS_ZONE must name the ${provider === 'clouddns' ? 'Cloud DNS managed zone' : 'Route 53 hosted zone id'}`);
  return {
    provider, ...(zone ? { zone } : {}),
    ttl: int(env, 'SKYFED_DNS_TTL', 30, 1, 86_400),
    maxDeletesPerSweep: int(env, 'SKYFED_MAX_DELETES_PER_SWEEP', 500, 1, 100_000),
    ...(env['SKYFED_DNS_ENDPOINT'] ? { endpoint: env['SKYFED_DNS_ENDPOINT'] } : {}),
    awsRegion: env['SKYFED_AWS_REGION'] ?? 'us-east-1',
  };
}
