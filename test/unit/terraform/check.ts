/**
 * Checks the Terraform module (parsed with @cdktf/hcl2json) against the function targets the code
 * exports. Pure: returns the problems, so the test can also prove it catches drift.
 */
import { Target } from '../../../functions/targets';

type Block = Record<string, unknown>;
export type TfJson = {
  resource?: Record<string, Record<string, Block[]>>;
  locals?: Block[];
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
};

const first = (v: unknown): Block => ((Array.isArray(v) ? v[0] : v) ?? {}) as Block;

export function mergeTf(parts: readonly TfJson[]): TfJson {
  const out: TfJson = { resource: {}, locals: [], variable: {}, output: {} };
  for (const p of parts) {
    for (const [type, byName] of Object.entries(p.resource ?? {})) out.resource![type] = { ...(out.resource![type] ?? {}), ...byName };
    out.locals!.push(...(p.locals ?? []));
    Object.assign(out.variable!, p.variable ?? {});
    Object.assign(out.output!, p.output ?? {});
  }
  return out;
}

export function checkTerraform(tf: TfJson, targets: readonly Target[]): string[] {
  const problems: string[] = [];
  const locals = Object.assign({}, ...(tf.locals ?? [])) as Block;
  const httpMap = (locals['http_functions'] ?? {}) as Record<string, Block>;
  const fsMap = (locals['firestore_functions'] ?? {}) as Record<string, Block>;
  const fns = tf.resource?.['google_cloudfunctions2_function'] ?? {};
  const http = first(fns['http']);
  const fsFn = first(fns['firestore']);

  // Exactly one function resource per target: the for_each maps' keys are the targets.
  const declared = [...Object.keys(httpMap), ...Object.keys(fsMap)];
  for (const t of targets) {
    const n = declared.filter((d) => d === t.name).length;
    if (n !== 1) problems.push(`target ${t.name} has ${n} function resources`);
    if (t.kind === 'http' && !(t.name in httpMap)) problems.push(`target ${t.name} is HTTP but not in local.http_functions`);
    if (t.kind === 'firestore') {
      if (!(t.name in fsMap)) problems.push(`target ${t.name} is Firestore-triggered but not in local.firestore_functions`);
      else if (fsMap[t.name]?.['document'] !== t.document)
        problems.push(`target ${t.name} listens on ${String(fsMap[t.name]?.['document'])}, the store writes ${t.document}`);
    }
    if (t.kind === 'http' && t.name in httpMap && Boolean(httpMap[t.name]?.['scheduled']) !== t.scheduled)
      problems.push(`target ${t.name}: scheduled=${String(t.scheduled)} in code`);
    if (t.kind === 'http' && t.name in httpMap && Boolean(httpMap[t.name]?.['public']) !== t.public)
      problems.push(`target ${t.name}: public=${String(t.public)} in code`);
  }
  for (const d of declared) if (!targets.some((t) => t.name === d)) problems.push(`function resource ${d} has no target in the code`);
  if (Object.keys(fns).sort().join(',') !== 'firestore,http') problems.push(`unexpected function resources: ${Object.keys(fns).join(',')}`);

  for (const [label, fn, forEach] of [
    ['http', http, '${local.http_functions}'],
    ['firestore', fsFn, '${local.firestore_functions}'],
  ] as const) {
    if (fn['for_each'] !== forEach) problems.push(`function resource ${label} must iterate ${forEach}`);
    const build = first(fn['build_config']);
    if (build['entry_point'] !== '${each.key}') problems.push(`function resource ${label}: entry_point must be the target name`);
    if (build['runtime'] !== 'nodejs20') problems.push(`function resource ${label}: runtime must be nodejs20`);
    const sc = first(fn['service_config']);
    if (sc['service_account_email'] !== '${google_service_account.fn[each.key].email}')
      problems.push(`function resource ${label}: each function needs its own service account`);
    const ingress = label === 'http' ? '${each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}' : 'ALLOW_INTERNAL_ONLY';
    if (sc['ingress_settings'] !== ingress) problems.push(`function resource ${label}: ingress must be ${ingress} (only public targets take outside traffic)`);
  }
  if (http['event_trigger'] !== undefined) problems.push('HTTP functions must not have an event trigger');
  const trig = first(fsFn['event_trigger']);
  if (trig['event_type'] !== 'google.cloud.firestore.document.v1.written') problems.push('Firestore functions must trigger on document.v1.written');
  const filters = (trig['event_filters'] ?? []) as Block[];
  if (!filters.some((f) => f['attribute'] === 'database' && f['value'] === '(default)')) problems.push('Firestore trigger needs a database filter');
  if (!filters.some((f) => f['attribute'] === 'document' && f['operator'] === 'match-path-pattern' && f['value'] === '${each.value.document}'))
    problems.push('Firestore trigger needs a document path-pattern filter');

  // Invocation: only the API, for var.api_invokers — or for everyone exactly when skyfed checks
  // bearer tokens itself and no longer trusts IAM (local.api_public).
  const INVOKERS = '${toset(local.api_public ? [] : var.api_invokers)}';
  const invokers = tf.resource?.['google_cloud_run_service_iam_member'] ?? {};
  for (const [name, blocks] of Object.entries(invokers)) {
    const b = first(blocks);
    const member = String(b['member']);
    if (
      /allUsers|allAuthenticatedUsers/.test(JSON.stringify(b)) &&
      !(member === 'allUsers' && b['count'] === '${local.api_public ? 1 : 0}' && String(b['service']).includes('http["api"]'))
    ) {
      problems.push(`${name} grants a public member`);
    }
    if (member === '${each.value}' && b['for_each'] !== INVOKERS) problems.push(`${name} grants invoke to arbitrary members`);
    if (b['for_each'] === INVOKERS && !String(b['service']).includes('http["api"]')) problems.push(`${name}: var.api_invokers may invoke only the API`);
  }
  if (!Object.values(invokers).some((bl) => first(bl)['for_each'] === INVOKERS)) problems.push('no invoker binding for the API');

  // Every scheduled target has a Scheduler job with an OIDC token targeting that function.
  const job = first(tf.resource?.['google_cloud_scheduler_job']?.['job']);
  const target = first(job['http_target']);
  for (const t of targets) {
    if (t.kind !== 'http' || !t.scheduled) continue;
    if (!/local\.http_functions/.test(String(job['for_each'])) || !String(target['uri']).includes('google_cloudfunctions2_function.http[each.key]'))
      problems.push(`no Scheduler job calls ${t.name}`);
  }
  if (!first(target['oidc_token'])['service_account_email']) problems.push('Scheduler jobs must call with an OIDC token');

  for (const [name, blocks] of Object.entries(tf.variable ?? {})) {
    const v = first(blocks);
    if (!v['description']) problems.push(`variable ${name} has no description`);
    if (!v['type']) problems.push(`variable ${name} has no type`);
  }
  for (const [name, blocks] of Object.entries(tf.output ?? {})) if (!first(blocks)['description']) problems.push(`output ${name} has no description`);
  return problems;
}
