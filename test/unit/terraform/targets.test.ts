import { registered } from '../../../functions';
import { TARGETS } from '../../../functions/targets';

test('functions/index.ts registers every target in the manifest, by kind, and nothing else', () => {
  expect([...registered.http].sort()).toEqual(TARGETS.filter((t) => t.kind === 'http').map((t) => t.name).sort());
  expect([...registered.events].sort()).toEqual(TARGETS.filter((t) => t.kind === 'firestore').map((t) => t.name).sort());
});
