/**
 * Authentication and authorization of API calls. Bearer tokens come from configuration, each with a
 * role: `admin` may do everything, `view` may only read. In production Cloud Run IAM admits only
 * callers holding run.invoker (ID tokens from the kubeconfig exec plugin); those are `admin` when
 * `trustIam` is on. Tokens are compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, errors } from '../k8s/status';
import { SELF_REVIEW_PATH } from './authz-reviews';

export type Role = 'admin' | 'view';
export interface Caller {
  readonly user: string;
  readonly role: Role;
}

export interface AuthConfig {
  /** sha256(token) hex → caller. */
  readonly tokens: ReadonlyMap<string, Caller>;
  /** Accept any request that reached us: Cloud Run IAM already verified the caller's ID token. */
  readonly trustIam: boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Parses `token=user:role,token2=user2:role` (SKYFED_API_TOKENS). */
export function parseTokens(spec: string | undefined): Map<string, Caller> {
  const out = new Map<string, Caller>();
  for (const entry of (spec ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^([^=]{16,})=([a-zA-Z0-9@._-]+):(admin|view)$/.exec(entry);
    if (!m) throw new Error('SKYFED_API_TOKENS: each entry must be TOKEN=USER:ROLE with a token of at least 16 characters and role admin or view');
    out.set(digest(m[1] as string).toString('hex'), { user: m[2] as string, role: m[3] as Role });
  }
  return out;
}

export function authenticate(cfg: AuthConfig, authorization: string | undefined): Caller {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (m) {
    const d = digest(m[1] as string);
    for (const [hex, caller] of cfg.tokens) {
      if (timingSafeEqual(Buffer.from(hex, 'hex'), d)) return caller;
    }
    if (!cfg.trustIam) throw errors.unauthorized();
  }
  if (cfg.trustIam) return { user: 'iam-verified', role: 'admin' };
  throw errors.unauthorized();
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The same decisions ROLE_RULES (shared/api/authz-reviews.ts) states for `kubectl auth can-i`. */
export function authorize(caller: Caller, method: string, path: string): void {
  if (caller.role === 'admin' || READ_METHODS.has(method) || (method === 'POST' && SELF_REVIEW_PATH.test(path))) return;
  throw new ApiError(403, 'Forbidden', `User "${caller.user}" cannot ${method.toLowerCase()} ${path}: role "view" is read-only`);
}

/** Paths anyone may read (health and version), as kube-apiserver serves them. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/version', '/healthz', '/readyz', '/livez']);

/**
 * Who is calling and whether they may: decided from the request line and headers alone, so it runs
 * before a byte of the body is read. Undefined for public paths.
 */
export function admit(cfg: AuthConfig, method: string, path: string, authorization: string | undefined): Caller | undefined {
  if (PUBLIC_PATHS.has(path)) return undefined;
  const caller = authenticate(cfg, authorization);
  authorize(caller, method, path);
  return caller;
}
