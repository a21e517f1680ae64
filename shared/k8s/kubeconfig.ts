/**
 * Member-cluster credentials as data, never instructions. A registrant hands skyfed a kubeconfig;
 * only inline material is accepted: server, CA data, TLS server name, bearer token, client
 * certificate and key data. Anything that would make the control plane run a program (exec,
 * auth-provider), read a file (tokenFile, client-certificate, client-key, certificate-authority),
 * send traffic elsewhere (proxy-url) or act as someone else (as, username/password) is refused,
 * with the field's path and never its value. Pure: parsing and checking only.
 */
import { parseDocument } from 'yaml';
import { InputErrorReason, SkyfedError } from '../errors';

export interface MemberCredentials {
  readonly caData?: Buffer;
  readonly tlsServerName?: string;
  readonly token?: string;
  readonly certData?: Buffer;
  readonly keyData?: Buffer;
}

export interface KubeconfigProblem {
  /** Where in the kubeconfig, e.g. `users[0].user.exec`. */
  readonly path: string;
  readonly message: string;
}

export class KubeconfigRejected extends SkyfedError<InputErrorReason> {
  override readonly name = 'KubeconfigRejected';
  constructor(readonly problems: readonly KubeconfigProblem[]) {
    super('KubeconfigRejected', problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

const MAX_KUBECONFIG_BYTES = 256 * 1024;

const REFUSED: Readonly<Record<string, string>> = {
  exec: 'exec credential plugins are not accepted: skyfed never runs a program named in credentials',
  'auth-provider': 'auth-provider plugins are not accepted',
  tokenFile: 'file paths are not accepted: inline the token as "token"',
  'token-file': 'file paths are not accepted: inline the token as "token"',
  'client-certificate': 'file paths are not accepted: use "client-certificate-data"',
  'client-key': 'file paths are not accepted: use "client-key-data"',
  'certificate-authority': 'file paths are not accepted: use "certificate-authority-data"',
  'proxy-url': 'proxies are not accepted',
  username: 'basic authentication is not accepted',
  password: 'basic authentication is not accepted',
  as: 'impersonation is not accepted',
  'as-uid': 'impersonation is not accepted',
  'as-groups': 'impersonation is not accepted',
  'as-user-extra': 'impersonation is not accepted',
  'insecure-skip-tls-verify': 'TLS verification cannot be turned off: give "certificate-authority-data"',
};

const ALLOWED = {
  top: ['apiVersion', 'kind', 'clusters', 'contexts', 'users', 'current-context', 'preferences', 'extensions'],
  cluster: ['server', 'certificate-authority-data', 'tls-server-name', 'extensions', 'disable-compression'],
  user: ['token', 'client-certificate-data', 'client-key-data', 'extensions'],
  context: ['cluster', 'user', 'namespace', 'extensions'],
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(o: Obj, allowed: readonly string[], path: string, out: KubeconfigProblem[]): void {
  for (const [k, v] of Object.entries(o)) {
    if (k === 'insecure-skip-tls-verify' && v === false) continue;
    const refused = REFUSED[k];
    if (refused) out.push({ path: `${path}.${k}`, message: refused });
    else if (!allowed.includes(k)) out.push({ path: `${path}.${k}`, message: 'unknown field: only inline credentials are accepted' });
  }
}

function named(list: unknown, what: string, inner: string, allowed: readonly string[], out: KubeconfigProblem[]): Map<string, Obj> {
  const byName = new Map<string, Obj>();
  if (list === undefined || list === null) return byName;
  if (!Array.isArray(list)) {
    out.push({ path: what, message: 'must be a list' });
    return byName;
  }
  list.forEach((entry, i) => {
    const path = `${what}[${i}]`;
    if (!isObj(entry) || typeof entry['name'] !== 'string' || !isObj(entry[inner])) {
      out.push({ path, message: `must have a "name" and a "${inner}" map` });
      return;
    }
    checkKeys(Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'name' && k !== inner)), [], path, out);
    checkKeys(entry[inner] as Obj, allowed, `${path}.${inner}`, out);
    byName.set(entry['name'], entry[inner] as Obj);
  });
  return byName;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const TOKEN = /^[\x21-\x7e]{1,8192}$/;

function pemData(v: unknown, path: string, label: RegExp, out: KubeconfigProblem[]): Buffer | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !BASE64.test(v)) {
    out.push({ path, message: 'must be base64-encoded PEM' });
    return undefined;
  }
  const buf = Buffer.from(v, 'base64');
  if (!label.test(buf.toString('latin1'))) {
    out.push({ path, message: 'must be base64-encoded PEM' });
    return undefined;
  }
  return buf;
}

/** Every problem of a kubeconfig as member credentials; empty when it is acceptable. */
export function kubeconfigProblems(text: string): KubeconfigProblem[] {
  try {
    parseMemberKubeconfig(text);
    return [];
  } catch (e) {
    if (e instanceof KubeconfigRejected) return [...e.problems];
    throw e;
  }
}

/**
 * Parses a member kubeconfig into the inline material of its current context (or its only
 * context). Throws KubeconfigRejected listing every refused field; messages never quote values.
 */
export function parseMemberKubeconfig(text: string): MemberCredentials {
  const out: KubeconfigProblem[] = [];
  if (Buffer.byteLength(text, 'utf8') > MAX_KUBECONFIG_BYTES)
    throw new KubeconfigRejected([{ path: '', message: `must be at most ${MAX_KUBECONFIG_BYTES} bytes` }]);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const line = doc.errors[0]?.linePos?.[0]?.line;
    throw new KubeconfigRejected([{ path: '', message: `not valid YAML${line ? ` (line ${line})` : ''}` }]);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 0 });
  } catch {
    throw new KubeconfigRejected([{ path: '', message: 'not valid YAML (aliases are not accepted)' }]);
  }
  if (!isObj(root)) throw new KubeconfigRejected([{ path: '', message: 'must be a kubeconfig (a map with clusters, users and contexts)' }]);
  checkKeys(root, ALLOWED.top, '', out);
  const clusters = named(root['clusters'], 'clusters', 'cluster', ALLOWED.cluster, out);
  const users = named(root['users'], 'users', 'user', ALLOWED.user, out);
  const contexts = named(root['contexts'], 'contexts', 'context', ALLOWED.context, out);
  const fix = (problems: KubeconfigProblem[]): KubeconfigProblem[] => problems.map((p) => ({ ...p, path: p.path.replace(/^\./, '') }));
  if (out.length > 0) throw new KubeconfigRejected(fix(out));

  const currentName =
    typeof root['current-context'] === 'string' && root['current-context'] !== ''
      ? root['current-context']
      : contexts.size === 1
        ? [...contexts.keys()][0]
        : undefined;
  const context = currentName !== undefined ? contexts.get(currentName) : undefined;
  if (!context) throw new KubeconfigRejected([{ path: 'current-context', message: 'must name one of the contexts' }]);
  const cluster = typeof context['cluster'] === 'string' ? clusters.get(context['cluster']) : undefined;
  const user = typeof context['user'] === 'string' ? users.get(context['user']) : undefined;
  if (!cluster) out.push({ path: 'contexts.context.cluster', message: 'must name one of the clusters' });
  if (!user) out.push({ path: 'contexts.context.user', message: 'must name one of the users' });
  if (!cluster || !user) throw new KubeconfigRejected(out);

  const caData = pemData(cluster['certificate-authority-data'], 'clusters.cluster.certificate-authority-data', /-----BEGIN CERTIFICATE-----/, out);
  const certData = pemData(user['client-certificate-data'], 'users.user.client-certificate-data', /-----BEGIN CERTIFICATE-----/, out);
  const keyData = pemData(user['client-key-data'], 'users.user.client-key-data', /-----BEGIN [A-Z ]*PRIVATE KEY-----/, out);
  const token = user['token'];
  if (token !== undefined && (typeof token !== 'string' || !TOKEN.test(token)))
    out.push({ path: 'users.user.token', message: 'must be printable characters without spaces' });
  const tlsServerName = cluster['tls-server-name'];
  if (tlsServerName !== undefined && (typeof tlsServerName !== 'string' || !/^[A-Za-z0-9.-]{1,253}$/.test(tlsServerName))) {
    out.push({ path: 'clusters.cluster.tls-server-name', message: 'must be a DNS name' });
  }
  if (token === undefined && (certData === undefined || keyData === undefined)) {
    out.push({ path: 'users.user', message: 'needs a "token", or "client-certificate-data" with "client-key-data"' });
  }
  if ((certData === undefined) !== (keyData === undefined))
    out.push({ path: 'users.user', message: '"client-certificate-data" and "client-key-data" go together' });
  if (out.length > 0) throw new KubeconfigRejected(out);
  return {
    ...(caData ? { caData } : {}),
    ...(typeof tlsServerName === 'string' ? { tlsServerName } : {}),
    ...(typeof token === 'string' ? { token } : {}),
    ...(certData ? { certData } : {}),
    ...(keyData ? { keyData } : {}),
  };
}
