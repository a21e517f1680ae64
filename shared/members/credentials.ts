/**
 * Opens a cluster's credentials: the Secret named by `spec.secretRef`, unsealed with the KEK, key
 * `kubeconfig`. The plaintext lives only in memory for the call that needs it.
 */
import { KeyEncryptionKey, SealedData, open } from '../crypto/envelope';
import { secretAad } from '../api/strategies';
import { CREDENTIALS_NAMESPACE, Cluster, serverAddressOf } from '../model/cluster';
import { KUBECONFIG_KEY } from '../model/secret';
import { ObjectStore } from '../store/port';
import { MemberClient, MemberError } from './port';

export type MemberClientFactory = (cluster: Cluster) => Promise<MemberClient>;

export interface Credentials {
  readonly server: string;
  readonly kubeconfig: string;
}

export async function openCredentials(store: ObjectStore, kek: KeyEncryptionKey, cluster: Cluster): Promise<Credentials> {
  const name = cluster.metadata.name ?? '';
  const ref = cluster.spec.secretRef;
  const server = serverAddressOf(cluster);
  if (!server) throw new MemberError(name, 'BadCredentials', 'the Cluster has no server address');
  if (!ref?.name) throw new MemberError(name, 'BadCredentials', 'the Cluster has no spec.secretRef');
  const namespace = ref.namespace ?? CREDENTIALS_NAMESPACE;
  const rec = await store.get(`secrets`, { namespace, name: ref.name });
  const sealed = rec?.internal?.['sealed'] as SealedData | undefined;
  if (!rec || !sealed) throw new MemberError(name, 'BadCredentials', `credentials Secret ${namespace}/${ref.name} not found`);
  let data: Record<string, Buffer>;
  try {
    data = await open(kek, sealed, secretAad(namespace, ref.name));
  } catch (cause) {
    throw new MemberError(name, 'BadCredentials', `credentials Secret ${namespace}/${ref.name} could not be decrypted`, undefined, { cause });
  }
  const kubeconfig = data[KUBECONFIG_KEY]?.toString('utf8');
  if (!kubeconfig) throw new MemberError(name, 'BadCredentials', `credentials Secret ${namespace}/${ref.name} has no "kubeconfig" key`);
  return { server, kubeconfig };
}
