/** Every shape of zone skyfed writes passes BIND's named-checkzone (full integrity checks, names checked as errors). */
import { renderZone, zoneOrigin } from '../../../shared/incluster/zone';
import { checkZone } from './bind';

const scope = (clusterDomain: string) => ({ federation: 'myfederation', clusterDomain, ttl: 30 });
const many = Array.from({ length: 500 }, (_, i) => ({
  namespace: `ns-${i % 7}`,
  service: `svc-${i}`,
  target: i % 2 ? `svc-${i}.ns-${i % 7}.svc.cluster.local.` : `svc-${i}.ns-${i % 7}.myfederation.svc.europe-west1-b.europe-west1.example.com.`,
}));
const longest = { namespace: 'n'.repeat(63), service: 's'.repeat(63), target: `${'s'.repeat(63)}.${'n'.repeat(63)}.svc.cluster.local.` };

test.each([
  ['no Services yet', 'cluster.local', []],
  [
    'local, zonal, regional and global answers',
    'cluster.local',
    [
      { namespace: 'mynamespace', service: 'nginx', target: 'nginx.mynamespace.svc.cluster.local.' },
      { namespace: 'mynamespace', service: 'web', target: 'web.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com.' },
      { namespace: 'other', service: 'api', target: 'api.other.myfederation.svc.us-central1.example.com.' },
      { namespace: 'other', service: 'db', target: 'db.other.myfederation.svc.example.com.' },
    ],
  ],
  ['500 Services', 'cluster.local', many],
  ['the longest names DNS allows', 'cluster.local', [longest]],
  ['another cluster domain', 'k8s.corp.example', [{ namespace: 'a', service: 'b', target: 'b.a.svc.k8s.corp.example.' }]],
])('%s', (_n, domain, entries) => {
  const { text, skipped } = renderZone(scope(domain), 1764590400, entries);
  expect(skipped).toEqual([]);
  const r = checkZone(zoneOrigin('myfederation', domain), text);
  expect(r.output).toMatch(/loaded serial 1764590400/);
  expect(r.ok).toBe(true);
});
