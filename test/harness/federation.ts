/** Registering a simulated member with skyfed, as a user does: its credentials Secret, then its Cluster. */
import { ADMIN_TOKEN } from './api-server';
import { call } from './http';

export interface Member {
  readonly name: string;
  readonly url: string;
  kubeconfig(): string;
}

export async function registerCluster(apiUrl: string, c: Member, labels: Record<string, string> = {}): Promise<void> {
  const T = { token: ADMIN_TOKEN };
  const secret = await call(apiUrl, 'POST', '/api/v1/namespaces/federation-system/secrets', {
    ...T,
    body: { metadata: { name: c.name }, stringData: { kubeconfig: c.kubeconfig() } },
  });
  const cluster = await call(apiUrl, 'POST', '/apis/federation/v1beta1/clusters', {
    ...T,
    body: {
      apiVersion: 'federation/v1beta1',
      kind: 'Cluster',
      metadata: { name: c.name, labels },
      spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: c.url }], secretRef: { name: c.name } },
    },
  });
  if (secret.status !== 201 || cluster.status !== 201) throw new Error(`registering ${c.name} failed: ${secret.status}/${cluster.status} ${cluster.text}`);
}
