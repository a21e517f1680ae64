import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { TARGETS, Target } from '../../../functions/targets';
import { TfJson, checkTerraform, mergeTf } from './check';

const DIR = join(__dirname, '..', '..', '..', 'terraform');
let tf: TfJson;

beforeAll(async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.tf'));
  expect(files.sort()).toEqual(expect.arrayContaining(['functions.tf', 'outputs.tf', 'variables.tf', 'versions.tf']));
  tf = mergeTf(await Promise.all(files.map(async (f) => (await parse(f, readFileSync(join(DIR, f), 'utf8'))) as TfJson)));
});

test('every .tf file parses and the module matches every function target in the code', () => {
  expect(checkTerraform(tf, TARGETS)).toEqual([]);
});

test('a target added in code without Terraform following is caught', () => {
  const added: Target[] = [
    ...TARGETS,
    { name: 'onQuotaWritten', kind: 'firestore', document: 'quotas/{quota}', eventType: 'google.cloud.firestore.document.v1.written' },
  ];
  expect(checkTerraform(tf, added)).toContain('target onQuotaWritten has 0 function resources');
});

test('a target renamed in code is caught both ways', () => {
  const renamed = TARGETS.map((t) => (t.name === 'healthSweep' ? { ...t, name: 'sweep' } : t));
  const problems = checkTerraform(tf, renamed);
  expect(problems).toContain('target sweep has 0 function resources');
  expect(problems).toContain('function resource healthSweep has no target in the code');
});

test('a trigger path that drifts from the store layout is caught', () => {
  const moved = TARGETS.map((t) => (t.kind === 'firestore' && t.name === 'onClusterWritten' ? { ...t, document: 'members/{cluster}' } : t));
  expect(checkTerraform(tf, moved).some((p) => p.startsWith('target onClusterWritten listens on clusters/{cluster}'))).toBe(true);
});

test('a public binding or an undocumented variable is caught', () => {
  const bad: TfJson = JSON.parse(JSON.stringify(tf)) as TfJson;
  (bad.resource!['google_cloud_run_service_iam_member']!['sweep_public'] as unknown) = [{ member: 'allUsers', role: 'roles/run.invoker', service: 'x' }];
  (bad.variable!['mystery'] as unknown) = [{ type: '${string}' }];
  const problems = checkTerraform(bad, TARGETS);
  expect(problems).toContain('sweep_public grants a public member');
  expect(problems).toContain('variable mystery has no description');
});

test('the sweep job the functions run is the Scheduler job Terraform creates', () => {
  const locals = Object.assign({}, ...(tf.locals ?? [])) as Record<string, unknown>;
  expect(locals['sweep_job']).toBe('projects/${var.project_id}/locations/${var.region}/jobs/skyfed-healthSweep');
  const job = (tf.resource!['google_cloud_scheduler_job']!['job'] as Record<string, unknown>[])[0];
  expect(job?.['name']).toBe('skyfed-${each.key}');
});
