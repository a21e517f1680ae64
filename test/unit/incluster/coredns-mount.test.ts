import { Deployment, mountZone, unmountZone } from '../../../shared/incluster/coredns-mount';

const kubeadm = (): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'coredns', namespace: 'kube-system', resourceVersion: '10' },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'coredns',
            image: 'registry.k8s.io/coredns/coredns:v1.11.1',
            volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
          },
        ],
        volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
      },
    },
  },
});

test('mount adds an optional read-only volume of the zone ConfigMap; twice changes nothing; unmount restores the Deployment exactly', () => {
  const d = kubeadm();
  const m = mountZone(d);
  expect(m.changed).toBe(true);
  const pod = m.body.spec?.template?.spec;
  expect(pod?.volumes?.[1]).toEqual({ name: 'skyfed-dns', configMap: { name: 'skyfed-dns', optional: true } });
  expect(pod?.containers?.[0]?.volumeMounts?.[1]).toEqual({ name: 'skyfed-dns', mountPath: '/etc/coredns/skyfed', readOnly: true });
  expect(d).toEqual(kubeadm()); // input untouched
  expect(mountZone(m.body)).toEqual({ body: m.body, changed: false });
  const u = unmountZone(m.body);
  expect(u.changed).toBe(true);
  expect(u.body).toEqual(kubeadm());
  expect(unmountZone(kubeadm()).changed).toBe(false);
});

test('the CoreDNS container is found by image when it is not named coredns (EKS, k3s name it coredns too)', () => {
  const d = kubeadm();
  const c = d.spec?.template?.spec?.containers?.[0];
  if (c) c.name = 'dns';
  expect(mountZone(d).body.spec?.template?.spec?.containers?.[0]?.volumeMounts).toHaveLength(2);
});

test.each([
  [
    'no CoreDNS container',
    (d: Deployment) => {
      (d.spec?.template?.spec as { containers: unknown[] }).containers = [{ name: 'sidecar', image: 'busybox' }];
    },
    /no CoreDNS container/,
  ],
  [
    'a foreign volume named skyfed-dns',
    (d: Deployment) => {
      d.spec?.template?.spec?.volumes?.push({ name: 'skyfed-dns', emptyDir: {} });
    },
    /not skyfed's/,
  ],
  [
    'the mount path taken',
    (d: Deployment) => {
      d.spec?.template?.spec?.containers?.[0]?.volumeMounts?.push({ name: 'other', mountPath: '/etc/coredns/skyfed' });
    },
    /already mounted/,
  ],
])('%s: nothing changes and the reason is reported', (_n, edit, note) => {
  const d = kubeadm();
  edit(d);
  const r = mountZone(d);
  expect(r.changed).toBe(false);
  expect(r.body).toEqual(d);
  expect(r.note).toMatch(note);
});
