/**
 * Adapters every function shares, built once per instance (a Cloud Functions instance serves many
 * requests): the Firestore store, the key-encryption key and readers of derived state.
 */
import { Firestore } from '@google-cloud/firestore';
import { Config } from '../shared/config';
import { KeyEncryptionKey } from '../shared/crypto/envelope';
import { CloudKmsKey } from '../shared/crypto/kms-key';
import { LocalFileKey } from '../shared/crypto/local-key';
import { Service } from '../shared/model/service';
import { FirestoreObjectStore } from '../shared/store/firestore';
import { StoredRecord } from '../shared/store/port';

export interface Runtime {
  readonly config: Config;
  readonly db: Firestore;
  readonly store: FirestoreObjectStore;
  readonly kek: KeyEncryptionKey;
  readonly presentService?: (rec: StoredRecord<Service>) => Promise<Service>;
}

let cached: Runtime | undefined;

export function buildRuntime(config: Config): Runtime {
  const db = new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true });
  const kek = config.kmsKeyName ? new CloudKmsKey(config.kmsKeyName) : LocalFileKey.loadOrCreate(config.keyFile);
  return { config, db, store: new FirestoreObjectStore(db), kek };
}

export function runtime(config: Config): Runtime {
  cached ??= buildRuntime(config);
  return cached;
}
