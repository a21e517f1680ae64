/**
 * The composition root: the adapters every function shares, built once when an instance starts (a
 * Cloud Functions instance serves many requests) — the Firestore store, the key-encryption key,
 * member clients, readers of derived state and the loggers. functions/index.ts builds the one
 * Runtime; the entry points receive it.
 */
import { Firestore } from '@google-cloud/firestore';
import { Config, ConfigError } from '../shared/config';
import { KeyEncryptionKey } from '../shared/crypto/envelope';
import { CloudKmsKey } from '../shared/crypto/kms-key';
import { LocalFileKey } from '../shared/crypto/local-key';
import { Service } from '../shared/model/service';
import { Cluster } from '../shared/model/cluster';
import { KubeMemberClient } from '../shared/members/kube-client';
import { memberClientCache } from '../shared/members/client-cache';
import { MemberClientFactory, openCredentials } from '../shared/members/credentials';
import { presentService } from '../shared/propagation/present';
import { FirestoreObjectStore, firestoreFor } from '../shared/store/firestore';
import { StoredRecord } from '../shared/store/port';
import { FirestoreShardStore } from '../shared/store/shards';
import { BreakerStore, FirestoreBreakerStore } from '../shared/store/breakers';
import { FirestoreSweepStateStore } from '../shared/store/sweep-state';
import { ClusterDirectory, StampedClusterDirectory } from '../shared/store/cluster-directory';
import { CATALOG_COLLECTION, CATALOG_SHARDS, ServiceCatalog } from '../shared/store/service-catalog';
import { FirestoreShardedMap } from '../shared/store/sharded-map';
import { SweepTrigger, noSweepTrigger, schedulerTrigger } from '../shared/sweep/trigger';
import { LogSink, Logs, jsonLogs, stdoutSink } from '../shared/log';
import { EventRecorder, StoreEventRecorder } from '../shared/recorder/recorder';
import { AddressGuard, addressGuard } from '../shared/net/address-guard';

export interface Runtime {
  readonly config: Config;
  readonly db: Firestore;
  readonly store: FirestoreObjectStore;
  readonly kek: KeyEncryptionKey;
  readonly shards: FirestoreShardStore;
  /** What the sweep knows of each federated Service, kept by propagation. */
  readonly catalog: ServiceCatalog;
  /** The clusters as Service events' passes read them (one stamp read while no registration changed). */
  readonly clusterDirectory: ClusterDirectory;
  readonly breakers: BreakerStore;
  readonly clientFor: MemberClientFactory;
  readonly presentService: (rec: StoredRecord<Service>) => Promise<Service>;
  readonly sweepTrigger: SweepTrigger;
  /** One Event recorder per reporting component (`skyfed-propagation`, `skyfed-sweep`), kept per instance. */
  readonly events: (component: string) => EventRecorder;
  /** The one address guard for member API servers and probes. */
  readonly dialGuard: AddressGuard;
  /** Loggers; lines logged during an invocation carry its event or execution id. */
  readonly logs: Logs;
}

export interface RuntimeOptions {
  /** Where log lines go (standard output unless a test captures them). */
  readonly logSink?: LogSink;
}

const CLIENT_TTL_MS = 30_000;

export function buildRuntime(config: Config, opts: RuntimeOptions = {}): Runtime {
  const db = firestoreFor(config.projectId);
  return assemble(config, db, keyEncryptionKey(config), opts);
}

/** The KEK the configuration names; a key that cannot be used stops the instance at start, naming the setting. */
function keyEncryptionKey(config: Config): KeyEncryptionKey {
  const variable = config.kmsKeyName ? 'SKYFED_KMS_KEY' : 'SKYFED_KEY_FILE';
  try {
    return config.kmsKeyName ? new CloudKmsKey(config.kmsKeyName) : LocalFileKey.loadOrCreate(config.keyFile);
  } catch (e) {
    throw new ConfigError(variable, `${variable}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Wires the adapters around a Firestore handle and a KEK (tests build their own handles). */
export function assemble(config: Config, db: Firestore, kek: KeyEncryptionKey, opts: RuntimeOptions = {}): Runtime {
  const logs = jsonLogs(opts.logSink ?? stdoutSink);
  const store = new FirestoreObjectStore(db);
  const shards = new FirestoreShardStore(db);
  const sweepStates = new FirestoreSweepStateStore(db);
  const guard = addressGuard(config.dialAllow);
  // Kept per cluster registration (shared/members/client-cache.ts), so events reuse TLS connections.
  const clientFor: MemberClientFactory = memberClientCache(
    (cluster: Cluster) =>
      openCredentials(store, kek, cluster).then(
        (creds) =>
          new KubeMemberClient({
            cluster: cluster.metadata.name ?? '',
            server: creds.server,
            kubeconfig: creds.kubeconfig,
            timeoutMs: config.memberTimeoutMs,
            guard,
          }),
      ),
    CLIENT_TTL_MS,
  );
  const clusterDirectory = new StampedClusterDirectory(db, store);
  // A Service's presentation counts the clusters it is placed on: labels only, from the directory.
  let clusterCache: { at: number; clusters: Promise<Cluster[]> } | undefined;
  const clusters = (): Promise<Cluster[]> => {
    if (!clusterCache || Date.now() - clusterCache.at > 1000) clusterCache = { at: Date.now(), clusters: clusterDirectory.list() };
    return clusterCache.clusters;
  };
  const present = async (rec: StoredRecord<Service>): Promise<Service> => {
    const s = rec.object;
    const ns = s.metadata.namespace as string;
    const name = s.metadata.name as string;
    const [sh, cl, sw] = await Promise.all([shards.list(ns, name), clusters(), sweepStates.get(ns, name)]);
    return presentService(s, sh, cl, sw);
  };
  const sweepTrigger = config.sweepJob ? schedulerTrigger(config.sweepJob, logs.logger('sweep-trigger'), config.schedulerEndpoint) : noSweepTrigger;
  const recorders = new Map<string, EventRecorder>();
  const events = (component: string): EventRecorder => {
    const r = recorders.get(component) ?? new StoreEventRecorder(store, logs.logger('events'), { component, ttlSeconds: config.eventTtlSeconds });
    recorders.set(component, r);
    return r;
  };
  const catalog = new ServiceCatalog(new FirestoreShardedMap(db, CATALOG_COLLECTION, CATALOG_SHARDS));
  return {
    config,
    db,
    store,
    kek,
    shards,
    catalog,
    clusterDirectory,
    breakers: new FirestoreBreakerStore(db),
    clientFor,
    presentService: present,
    sweepTrigger,
    events,
    dialGuard: guard,
    logs,
  };
}
