/**
 * The CLI's Kubernetes calls, on @kubernetes/client-node's generic object API (it reads discovery
 * to map kinds to paths, so the same code serves a member cluster and skyfed's own API). The
 * operator's kubeconfig may use any auth it likes here: this runs on the operator's machine. Every
 * call has a time-out.
 */
import { ApiException, KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { RequestOptions, request } from 'node:https';
import { Manifest } from './member-objects';

export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface Kube {
  readonly context: string;
  readonly server: string;
  readonly config: KubeConfig;
  read(m: Manifest): Promise<Manifest | undefined>;
  create(m: Manifest): Promise<Manifest>;
  replace(m: Manifest): Promise<Manifest>;
  /** False when it was already gone. */
  remove(m: Manifest): Promise<boolean>;
  list(apiVersion: string, kind: string, labelSelector?: string): Promise<Manifest[]>;
  /** GET of a path as raw JSON (the typed client drops fields it does not model, such as skyfed's status.federation). */
  getJson(path: string): Promise<unknown>;
}

/** Loads `context` from the kubeconfig file (or the default chain: $KUBECONFIG, ~/.kube/config). */
export function loadContext(context: string, kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  if (!kc.getContextObject(context)) throw new CliError(`context "${context}" is not in ${kubeconfigPath ?? 'your kubeconfig'}`);
  kc.setCurrentContext(context);
  return kc;
}

function statusOf(e: unknown): number | undefined {
  return e instanceof ApiException ? Number(e.code) : undefined;
}

function messageOf(e: unknown): string {
  if (e instanceof ApiException) {
    const body = (
      typeof e.body === 'string'
        ? (() => {
            try {
              return JSON.parse(e.body as string) as unknown;
            } catch {
              return undefined;
            }
          })()
        : e.body
    ) as { message?: string } | undefined;
    return `${String(e.code)}: ${body?.message ?? 'request failed'}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export function kubeFor(kc: KubeConfig, timeoutMs: number): Kube {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server ?? '';
  const timed = async <T>(what: string, p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CliError(`${context}: ${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const fail = (what: string, e: unknown): never => {
    if (e instanceof CliError) throw e;
    throw new CliError(`${context}: ${what}: ${messageOf(e)}`, { cause: e });
  };
  const plain = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
  const header = (m: Manifest): KubernetesObject => ({
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: { name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) },
  });
  const label = (m: Manifest): string => `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
  return {
    context,
    server,
    config: kc,
    read: async (m) => {
      try {
        return plain(await timed(`read ${label(m)}`, api.read(header(m) as never))) as unknown as Manifest;
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        return fail(`read ${label(m)}`, e);
      }
    },
    create: async (m) => {
      try {
        return plain(await timed(`create ${label(m)}`, api.create(m as never))) as unknown as Manifest;
      } catch (e) {
        return fail(`create ${label(m)}`, e);
      }
    },
    replace: async (m) => {
      try {
        return plain(await timed(`update ${label(m)}`, api.replace(m as never))) as unknown as Manifest;
      } catch (e) {
        return fail(`update ${label(m)}`, e);
      }
    },
    remove: async (m) => {
      try {
        await timed(`delete ${label(m)}`, api.delete(header(m) as never));
        return true;
      } catch (e) {
        if (statusOf(e) === 404) return false;
        return fail(`delete ${label(m)}`, e);
      }
    },
    getJson: async (path) => {
      const u = new URL(path, server);
      const opts: RequestOptions = {
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        method: 'GET',
        headers: { accept: 'application/json' },
      };
      await kc.applyToHTTPSOptions(opts as never);
      return timed(
        `GET ${path}`,
        new Promise<unknown>((resolve, reject) => {
          const req = request(opts, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => {
              text += d.toString();
            });
            res.on('end', () => {
              if ((res.statusCode ?? 0) >= 400) {
                reject(new CliError(`${context}: GET ${path}: ${String(res.statusCode)}: ${(JSON.parse(text || '{}') as { message?: string }).message ?? ''}`));
                return;
              }
              try {
                resolve(JSON.parse(text));
              } catch {
                reject(new CliError(`${context}: GET ${path}: not JSON`));
              }
            });
          });
          req.on('error', (e) => reject(new CliError(`${context}: GET ${path}: ${e.message}`)));
          req.end();
        }),
      );
    },
    list: async (apiVersion, kind, labelSelector) => {
      try {
        const l = await timed(`list ${kind}`, api.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, labelSelector));
        return plain(l.items) as unknown as Manifest[];
      } catch (e) {
        return fail(`list ${kind}`, e);
      }
    },
  };
}
