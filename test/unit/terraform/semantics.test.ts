/**
 * What the provider schemas cannot see: least privilege derived from the code, trigger regions,
 * secret access before deploy, build identity, API enablement order, what a destroy may not take,
 * who can call the API and whether skyfed trusts IAM, and the AWS side of keyless Route 53.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS } from '../../../functions/targets';
import { GRANTS, GoogleCall, callsFrom, handlerModuleOf } from './code-calls';
import { AWS_MODULE, REPO, ROOT_MODULE, loadModule } from './module';
import { Module } from './schema-check';

type Body = Record<string, unknown>;
let mod: Module;
let aws: Module;
beforeAll(async () => {
  [mod, aws] = await Promise.all([loadModule(ROOT_MODULE), loadModule(AWS_MODULE)]);
});

const locals = (): Body => Object.assign({}, ...mod.locals) as Body;
const res = (type: string, name: string, m: Module = mod): Body => {
  const b = m.resource[type]?.[name]?.[0];
  if (!b) throw new Error(`no resource ${type}.${name}`);
  return b;
};
const first = (v: unknown): Body => ((v as Body[] | undefined)?.[0] ?? {}) as Body;
const fn = (name: 'http' | 'firestore'): Body => res('google_cloudfunctions2_function', name);
const SA = (target: string): string => `serviceAccount:\${google_service_account.fn["${target}"].email}`;

describe('least privilege, from the code', () => {
  const derived: Record<string, Set<GoogleCall>> = {};
  beforeAll(() => {
    for (const t of TARGETS) derived[t.name] = callsFrom(handlerModuleOf(t.name), t.name);
  }, 120_000);

  test('each function gets exactly the roles for the Google APIs its code calls', () => {
    const want: Record<string, { project: string[]; key: string[] }> = {};
    for (const [target, calls] of Object.entries(derived)) {
      want[target] = { project: [], key: [] };
      for (const c of calls) {
        const g = GRANTS[c];
        if (g.scope !== 'zone') want[target][g.scope].push(g.role);
      }
      want[target].project.sort();
      want[target].key.sort();
    }
    const declared = locals()['function_grants'] as Record<string, { project: string[]; key: string[] }>;
    const sorted = Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, { project: [...v.project].sort(), key: [...v.key].sort() }]));
    expect(sorted).toEqual(want);
    // The facts this rests on, as the code has them today.
    expect([...(derived['api'] ?? [])].sort()).toEqual(['firestore', 'kms.encrypt']);
    expect(derived['onSecretWritten']?.has('kms.encrypt')).toBe(false);
  });

  test('the sweep changes DNS in its one managed zone, with no project-wide DNS role', () => {
    const changesDns = Object.entries(derived)
      .filter(([, c]) => c.has('clouddns.change'))
      .map(([t]) => t);
    expect(changesDns).toEqual(['healthSweep']);
    const zone = res('google_dns_managed_zone_iam_member', 'sweep');
    expect(zone).toMatchObject({ role: GRANTS['clouddns.change'].role, member: SA('healthSweep'), count: '${var.dns_provider == "clouddns" ? 1 : 0}' });
    expect(zone['managed_zone']).toBe('${var.create_dns_zone ? google_dns_managed_zone.skyfed[0].name : var.dns_managed_zone}');
  });

  test('the grant table is what the IAM resources apply, and nothing else grants a function account a role', () => {
    expect(res('google_project_iam_member', 'function')).toMatchObject({
      for_each: '${local.project_grants}',
      role: '${each.value.role}',
      member: 'serviceAccount:${google_service_account.fn[each.value.fn].email}',
    });
    expect(res('google_kms_crypto_key_iam_member', 'function')).toMatchObject({
      for_each: '${local.key_grants}',
      role: '${each.value.role}',
      crypto_key_id: '${google_kms_crypto_key.credentials.id}',
    });
    expect(locals()['project_grants']).toBe(
      '${merge([for fn, g in local.function_grants : { for r in g.project : "${fn} ${r}" => { fn = fn, role = r } }]...)}',
    );
    expect(locals()['key_grants']).toBe('${merge([for fn, g in local.function_grants : { for r in g.key : "${fn} ${r}" => { fn = fn, role = r } }]...)}');
    const allowed = new Set([
      'google_project_iam_member.function',
      'google_kms_crypto_key_iam_member.function',
      'google_dns_managed_zone_iam_member.sweep',
      'google_secret_manager_secret_iam_member.sweep_route53',
      'google_secret_manager_secret_iam_member.api_tokens',
    ]);
    for (const [type, byName] of Object.entries(mod.resource)) {
      if (!type.endsWith('_iam_member')) continue;
      for (const [name, [b]] of Object.entries(byName)) {
        if (String(b?.['member']).includes('google_service_account.fn')) expect(allowed).toContain(`${type}.${name}`);
        expect(JSON.stringify(b)).not.toMatch(/cryptoKeyEncrypterDecrypter|roles\/(owner|editor)"/);
        if (type === 'google_project_iam_member') expect(b?.['role']).not.toBe('roles/dns.admin');
      }
    }
  });
});

test('Firestore triggers listen in the Eventarc region of the database location', () => {
  expect(locals()['firestore_trigger_regions']).toEqual({ nam5: 'us-central1', eur3: 'europe-west4' });
  expect(locals()['trigger_region']).toBe('${lookup(local.firestore_trigger_regions, var.firestore_location, var.firestore_location)}');
  expect(first(fn('firestore')['event_trigger'])['trigger_region']).toBe('${local.trigger_region}');
});

test('secrets a function mounts are readable by its account before the function is deployed', () => {
  const tokens = res('google_secret_manager_secret_iam_member', 'api_tokens');
  expect(tokens).toMatchObject({
    count: '${local.api_public ? 1 : 0}',
    secret_id: '${var.api_tokens_secret}',
    role: 'roles/secretmanager.secretAccessor',
    member: SA('api'),
  });
  const r53 = res('google_secret_manager_secret_iam_member', 'sweep_route53');
  expect(r53).toMatchObject({ count: '${local.route53_static ? 1 : 0}', role: 'roles/secretmanager.secretAccessor', member: SA('healthSweep') });
  const sc = first(fn('http')['service_config']);
  const dyn = sc['dynamic'] as Record<string, Body[]>;
  expect(first(dyn['secret_environment_variables'])['for_each']).toBe('${each.key == "api" && local.api_public ? [1] : []}');
  expect(first(dyn['secret_volumes'])['for_each']).toBe('${each.key == "healthSweep" && local.route53_static ? [1] : []}');
  expect(fn('http')['depends_on']).toEqual(
    expect.arrayContaining(['${google_secret_manager_secret_iam_member.api_tokens}', '${google_secret_manager_secret_iam_member.sweep_route53}']),
  );
  // The module never creates a secret it is told to use (a second create is 409), and the user's
  // secret holds a version before apply, so "latest" exists.
  expect(mod.resource['google_secret_manager_secret']).toBeUndefined();
  expect(mod.data['google_secret_manager_secret']?.['route53']?.[0]).toMatchObject({ secret_id: '${var.route53_credentials_secret}' });
});

test('the Route 53 fallback mounts an AWS credentials file where the SDK reads it, as variables.tf says', () => {
  const vol = first(first((first(fn('http')['service_config'])['dynamic'] as Record<string, Body[]>)['secret_volumes'])['content']);
  const path = `${String(vol['mount_path'])}/${String(first(vol['versions'])['path'])}`;
  expect(String(locals()['sweep_env'])).toContain(`AWS_SHARED_CREDENTIALS_FILE = "${path}"`);
  const desc = String(first(mod.variable['route53_credentials_secret'])['description']);
  expect(desc).toMatch(/credentials file \(INI/);
  expect(desc).not.toMatch(/JSON/);
});

test('functions build as their own service account with logging, Artifact Registry and source read', () => {
  for (const f of [fn('http'), fn('firestore')]) {
    expect(first(f['build_config'])['service_account']).toBe('${google_service_account.build.id}');
    expect(f['depends_on']).toEqual(expect.arrayContaining(['${google_project_iam_member.build}', '${google_storage_bucket_iam_member.build_reads_source}']));
  }
  expect([...(locals()['build_roles'] as string[])].sort()).toEqual(['roles/artifactregistry.writer', 'roles/logging.logWriter']);
  expect(res('google_project_iam_member', 'build')).toMatchObject({
    for_each: '${toset(local.build_roles)}',
    member: 'serviceAccount:${google_service_account.build.email}',
  });
  expect(res('google_storage_bucket_iam_member', 'build_reads_source')).toMatchObject({
    bucket: '${google_storage_bucket.source.name}',
    role: 'roles/storage.objectViewer',
  });
});

test('every API the module uses is enabled first, including Pub/Sub and Resource Manager', () => {
  const apis = String(res('google_project_service', 'apis')['for_each']);
  for (const a of [
    'cloudresourcemanager',
    'iam',
    'pubsub',
    'eventarc',
    'cloudfunctions',
    'run',
    'cloudbuild',
    'artifactregistry',
    'firestore',
    'cloudscheduler',
    'cloudkms',
    'storage',
    'logging',
  ])
    expect(apis).toContain(`"${a}.googleapis.com"`);
  expect(apis).toContain('var.dns_provider == "clouddns" ? ["dns.googleapis.com"]');
  expect(apis).toContain('local.route53_static || local.api_public ? ["secretmanager.googleapis.com"]');
  for (const [name, [b]] of Object.entries(mod.resource['google_service_account'] ?? {}))
    expect([name, b?.['depends_on']]).toEqual([name, ['${google_project_service.apis}']]);
});

test('what a destroy must not take: the key ring, the key (its versions open every sealed credential) and the database', () => {
  for (const [type, name] of [
    ['google_kms_key_ring', 'skyfed'],
    ['google_kms_crypto_key', 'credentials'],
    ['google_firestore_database', 'default'],
  ] as const) {
    expect([type, first(res(type, name)['lifecycle'])['prevent_destroy']]).toEqual([type, true]);
  }
});

test("Pub/Sub's service agent may mint the tokens Eventarc pushes with (projects older than April 2021)", () => {
  expect(res('google_project_iam_member', 'pubsub_token_creator')).toMatchObject({
    role: 'roles/iam.serviceAccountTokenCreator',
    member: 'serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com',
  });
  expect(fn('firestore')['depends_on']).toContain('${google_project_iam_member.pubsub_token_creator}');
});

test('skyfed trusts Cloud Run IAM only while the API is not public; the internet is never an invoker by IAM', () => {
  expect(locals()['api_public']).toBe('${var.api_tokens_secret != ""}');
  expect((locals()['common_env'] as Body)['SKYFED_TRUST_IAM']).toBe('${tostring(!local.api_public)}');
  const pub = res('google_cloud_run_service_iam_member', 'api_public');
  expect(pub).toMatchObject({ member: 'allUsers', count: '${local.api_public ? 1 : 0}' });
  const validation = first(first(mod.variable['api_invokers'])['validation']);
  expect(String(validation['condition'])).toContain('!contains(["allUsers", "allAuthenticatedUsers"], m)');
});

test('every SKYFED_ setting Terraform passes is one the code reads', () => {
  const config = readdirSync(join(REPO, 'shared'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(REPO, 'shared', f), 'utf8'))
    .join('\n');
  const names = [...JSON.stringify(mod.locals).matchAll(/\b(SKYFED_[A-Z0-9_]+)\b/g)].map((m) => m[1] as string);
  expect(names).toEqual(expect.arrayContaining(['SKYFED_AWS_ROLE_ARN', 'SKYFED_AWS_WEB_IDENTITY_AUDIENCE', 'SKYFED_TRUST_IAM']));
  for (const n of new Set(names)) expect([n, config.includes(`'${n}'`)]).toEqual([n, true]);
});

describe('terraform/aws: keyless Route 53', () => {
  const doc = (name: string): Body => {
    const b = aws.data['aws_iam_policy_document']?.[name]?.[0];
    if (!b) throw new Error(`no policy document ${name}`);
    return b;
  };

  test("only the sweep's service account, with the configured audience, may assume the role", () => {
    const st = first(doc('trust')['statement']);
    expect(st['actions']).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(first(st['principals'])).toEqual({ type: 'Federated', identifiers: ['accounts.google.com'] });
    const conditions = Object.fromEntries((st['condition'] as Body[]).map((c) => [c['variable'], [c['test'], c['values']]]));
    expect(conditions).toEqual({
      'accounts.google.com:aud': ['StringEquals', ['${var.sweep_service_account_unique_id}']],
      'accounts.google.com:sub': ['StringEquals', ['${var.sweep_service_account_unique_id}']],
      'accounts.google.com:oaud': ['StringEquals', ['${var.audience}']],
    });
    expect(res('aws_iam_role', 'sweep', aws)['assume_role_policy']).toBe('${data.aws_iam_policy_document.trust.json}');
  });

  test('the role may make the Route 53 calls the code makes, on that hosted zone, and wait for changes', () => {
    const code = readFileSync(join(REPO, 'shared/dns/providers/route53.ts'), 'utf8');
    const used = [...new Set([...code.matchAll(/new (\w+)Command\(/g)].map((m) => `route53:${m[1]}`))].sort();
    expect(used).toEqual(['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets']);
    const sts = doc('zone')['statement'] as Body[];
    const zone = sts.find((s) => s['sid'] === 'RecordsOfOneZone') as Body;
    expect([...(zone['actions'] as string[])].sort()).toEqual(used);
    expect(zone['resources']).toEqual(['arn:aws:route53:::hostedzone/${var.hosted_zone_id}']);
    expect(sts.flatMap((s) => s['actions'] as string[]).sort()).toEqual([...used, 'route53:GetChange'].sort());
    expect(res('aws_iam_role_policy', 'zone', aws)).toMatchObject({ role: '${aws_iam_role.sweep.id}', policy: '${data.aws_iam_policy_document.zone.json}' });
  });

  test('the root module and the sweep agree on the audience and the role', () => {
    expect(first(aws.variable['audience'])['default']).toBe(first(mod.variable['route53_audience'])['default']);
    expect(String(locals()['sweep_env'])).toContain('SKYFED_AWS_ROLE_ARN = var.route53_role_arn, SKYFED_AWS_WEB_IDENTITY_AUDIENCE = var.route53_audience');
  });
});
