/**
 * Serves the `api` function through the real functions-framework server (body parsing included)
 * on a random port, backed by the Firestore emulator under a fresh project id.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Firestore } from '@google-cloud/firestore';
import { api } from '../../functions/api';
import { Runtime, assemble } from '../../functions/runtime';
import { loadConfig } from '../../shared/config';
import { LocalFileKey } from '../../shared/crypto/local-key';
import { firestoreFor } from '../../shared/store/firestore';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const VIEW_TOKEN = 'view-token-0123456789abcdef';

export interface ApiServer {
  readonly url: string;
  readonly projectId: string;
  readonly db: Firestore;
  readonly runtime: Runtime;
  /** Every log line the server wrote (captured, not printed). */
  readonly logs: string[];
  close(): Promise<void>;
}

export function testProjectId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Requires FIRESTORE_EMULATOR_HOST to be set (see emulator.ts). */
export async function startApiServer(projectId = testProjectId('api'), env: Record<string, string> = {}): Promise<ApiServer> {
  const config = loadConfig({
    SKYFED_PROJECT: projectId,
    SKYFED_API_TOKENS: `${ADMIN_TOKEN}=alice:admin,${VIEW_TOKEN}=victor:view`,
    SKYFED_ALLOW_INSECURE_LOOPBACK_MEMBERS: 'true',
    SKYFED_DIAL_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
    ...env,
  });
  const db = firestoreFor(projectId);
  // A cold emulator answers its first requests slowly (past the API's store deadline on a busy
  // machine): warm its read and transaction paths without writing anything.
  await db.collection('warmup').limit(1).get();
  await db.runTransaction(async (tx) => tx.get(db.doc('warmup/none')));
  const logs: string[] = [];
  const runtime: Runtime = assemble(config, db, LocalFileKey.fromBytes(randomBytes(32)), { logSink: (l) => logs.push(l) });
  const name = `api-${projectId}`;
  ff.http(name, api(runtime));
  const server: Server = getTestServer(name);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    projectId,
    db,
    runtime,
    logs,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await db.terminate();
    },
  };
}

/** Every stored document of the project, with update times: equal snapshots mean nothing was written. */
export async function snapshotStore(db: Firestore): Promise<string> {
  const out: string[] = [];
  for (const group of ['clusters', 'services', 'secrets', 'shards']) {
    const snap = await db.collectionGroup(group).get();
    for (const d of snap.docs) out.push(`${d.ref.path} ${d.updateTime.toMillis()} ${JSON.stringify(d.data())}`);
  }
  return out.sort().join('\n');
}
