/**
 * Writes or merges a kubeconfig context for skyfed without touching the user's other clusters,
 * users and contexts (the same entries are replaced, everything else is kept as it was).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

interface Named {
  name: string;
  [k: string]: unknown;
}
interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

export interface ContextEntry {
  readonly context: string;
  readonly server: string;
  readonly caPem?: string;
  readonly token?: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
}

function upsert(list: Named[] | undefined, entry: Named): Named[] {
  const out = (list ?? []).filter((x) => x.name !== entry.name);
  out.push(entry);
  return out;
}

/** Pure: returns `existing` with the entries for `ctx` added or replaced. */
export function mergeContext(existing: KubeconfigDoc | undefined, ctx: ContextEntry, makeCurrent: boolean): KubeconfigDoc {
  const doc: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', ...(existing ?? {}) };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  doc.clusters = upsert(doc.clusters, {
    name: ctx.context,
    cluster: { server: ctx.server, ...(ctx.caPem ? { 'certificate-authority-data': b64(ctx.caPem) } : {}) },
  });
  doc.users = upsert(doc.users, {
    name: ctx.context,
    user: {
      ...(ctx.token ? { token: ctx.token } : {}),
      ...(ctx.clientCertPem ? { 'client-certificate-data': b64(ctx.clientCertPem) } : {}),
      ...(ctx.clientKeyPem ? { 'client-key-data': b64(ctx.clientKeyPem) } : {}),
    },
  });
  doc.contexts = upsert(doc.contexts, { name: ctx.context, context: { cluster: ctx.context, user: ctx.context } });
  if (makeCurrent || !doc['current-context']) doc['current-context'] = ctx.context;
  return doc;
}

/** Merges the contexts into the kubeconfig file at `path` (created if missing), atomically. */
export function writeContexts(path: string, entries: readonly ContextEntry[], makeCurrent?: string): void {
  let doc: KubeconfigDoc | undefined;
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    doc = (text.trim() ? parse(text) : undefined) as KubeconfigDoc | undefined;
  }
  for (const e of entries) doc = mergeContext(doc, e, e.context === makeCurrent);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.skyfed-${process.pid}.tmp`;
  writeFileSync(tmp, stringify(doc), { mode: 0o600 });
  renameSync(tmp, path);
}
