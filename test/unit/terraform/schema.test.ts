/**
 * The modules against the pinned providers' real schemas (test/unit/terraform/schema, extracted by
 * scripts/terraform-schema.mjs), and proof that the check catches what `terraform validate` would:
 * each broken copy below changes one thing in the real .tf text.
 */
import { AWS_MODULE, ROOT_MODULE, loadModule, loadSchemas, tfText } from './module';
import { Module, checkSchema } from './schema-check';

const schemas = loadSchemas();

async function problemsWith(dir: string, file: string, edit: (text: string) => string): Promise<string[]> {
  const before = tfText(dir, file);
  const after = edit(before);
  expect(after).not.toBe(before); // the edit must hit the real text
  return checkSchema(await loadModule(dir, { [file]: after }), schemas).problems;
}

describe.each([
  ['terraform/', ROOT_MODULE, ['google', 'archive', 'random']],
  ['terraform/aws/', AWS_MODULE, ['aws']],
])('%s', (_label, dir, providers) => {
  let mod: Module;
  beforeAll(async () => {
    mod = await loadModule(dir);
  });

  test('every block, argument and reference checks out against the pinned provider schemas', () => {
    const report = checkSchema(mod, schemas);
    expect(report.problems).toEqual([]);
    // Today: 31 blocks / 154 arguments and nested blocks (terraform/), 4 / 34 (terraform/aws/).
    expect(report.blocks).toBeGreaterThanOrEqual(4);
    expect(report.arguments).toBeGreaterThanOrEqual(30);
  });

  test('the schemas held are those of the versions pinned', () => {
    const required = Object.assign({}, ...mod.terraform.flatMap((t) => t['required_providers'] as Record<string, unknown>[])) as Record<
      string,
      { version: string }
    >;
    expect(Object.keys(required).sort()).toEqual([...providers].sort());
    for (const p of providers) expect(required[p]?.version).toBe(schemas[p]?.version);
  });
});

describe('broken copies are caught', () => {
  test('an unknown argument', async () => {
    expect(await problemsWith(ROOT_MODULE, 'scheduler.tf', (t) => t.replace('attempt_deadline', 'attempt_deadlines'))).toContain(
      'google_cloud_scheduler_job.job: unsupported argument or block "attempt_deadlines"',
    );
  });

  test('an unknown argument deep inside nested blocks', async () => {
    expect(
      await problemsWith(ROOT_MODULE, 'functions.tf', (t) =>
        t.replace('        bucket = google_storage_bucket.source.name', '        bucket_name = google_storage_bucket.source.name'),
      ),
    ).toEqual(expect.arrayContaining(['google_cloudfunctions2_function.http.build_config.source.storage_source: unsupported argument or block "bucket_name"']));
  });

  test('an unknown argument inside a dynamic block, and a dynamic block of no such type', async () => {
    const problems = await problemsWith(ROOT_MODULE, 'functions.tf', (t) =>
      t.replace('        mount_path = "/aws"', '        mount      = "/aws"').replace('dynamic "secret_environment_variables"', 'dynamic "secret_env_vars"'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'google_cloudfunctions2_function.http.service_config.secret_volumes: unsupported argument or block "mount"',
        'google_cloudfunctions2_function.http.service_config.secret_volumes: required argument "mount_path" is missing',
        'google_cloudfunctions2_function.http.service_config: dynamic "secret_env_vars": no such block type',
      ]),
    );
  });

  test('a missing required argument', async () => {
    expect(
      await problemsWith(ROOT_MODULE, 'iam.tf', (t) =>
        t.replace(/resource "google_service_account" "build" \{\n  account_id   = "skyfed-build"\n/, 'resource "google_service_account" "build" {\n'),
      ),
    ).toContain('google_service_account.build: required argument "account_id" is missing');
  });

  test('a missing required argument in the AWS module', async () => {
    expect(await problemsWith(AWS_MODULE, 'main.tf', (t) => t.replace('  assume_role_policy   = data.aws_iam_policy_document.trust.json\n', ''))).toContain(
      'aws_iam_role.sweep: required argument "assume_role_policy" is missing',
    );
  });

  test('a misspelt resource type, and the reference to it', async () => {
    const problems = await problemsWith(ROOT_MODULE, 'secrets.tf', (t) =>
      t.replace('resource "google_kms_key_ring" "skyfed"', 'resource "google_kms_keyring" "skyfed"'),
    );
    expect(problems).toContain('google_kms_keyring.skyfed: unknown resource type google_kms_keyring in provider google 6.50.0');
    expect(problems).toContain('google_kms_crypto_key.credentials: reference to undeclared resource google_kms_key_ring.skyfed');
  });

  test('the resource type the review found: Cloud Scheduler has no per-job IAM', async () => {
    const extra =
      '\nresource "google_cloud_scheduler_job_iam_member" "run_sweep" {\n  name   = google_cloud_scheduler_job.job["healthSweep"].name\n  role   = "roles/cloudscheduler.jobRunner"\n  member = "user:a@example.com"\n}\n';
    expect(await problemsWith(ROOT_MODULE, 'scheduler.tf', (t) => t + extra)).toContain(
      'google_cloud_scheduler_job_iam_member.run_sweep: unknown resource type google_cloud_scheduler_job_iam_member in provider google 6.50.0',
    );
  });

  test('bad references: an undeclared variable, local, resource name, data source and attribute', async () => {
    const problems = await problemsWith(ROOT_MODULE, 'functions.tf', (t) =>
      t
        .replace(
          'location = var.region\n\n  build_config {\n    runtime         = "nodejs20"\n    entry_point     = each.key',
          'location = var.regoin\n\n  build_config {\n    runtime         = "nodejs20"\n    entry_point     = each.key',
        )
        .replace('trigger_region        = local.trigger_region', 'trigger_region        = local.trigger_regoin')
        .replace('google_service_account.trigger.email', 'google_service_account.triggers.email')
        .replace(
          'service_account = google_service_account.build.id\n    source {\n      storage_source {\n        bucket = google_storage_bucket.source.name',
          'service_account = google_service_account.build.id\n    source {\n      storage_source {\n        bucket = google_storage_bucket.source.bucket_name',
        ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'google_cloudfunctions2_function.http: reference to undeclared variable var.regoin',
        'google_cloudfunctions2_function.firestore: reference to undeclared local.trigger_regoin',
        'google_cloudfunctions2_function.firestore: reference to undeclared resource google_service_account.triggers',
        'google_cloudfunctions2_function.http: google_storage_bucket.source has no attribute bucket_name',
      ]),
    );
    expect(
      await problemsWith(ROOT_MODULE, 'source.tf', (t) => t.replace('data.archive_file.source.output_sha256', 'data.archive_file.src.output_sha256')),
    ).toContain('google_storage_bucket_object.source: reference to undeclared data.archive_file.src');
    expect(await problemsWith(ROOT_MODULE, 'outputs.tf', (t) => t.replace('service_config[0].uri', 'service_config[0].url'))).toContain(
      'output api_url: google_cloudfunctions2_function.http has no attribute url',
    );
  });

  test('a read-only attribute set, a block written as an argument, too many single blocks', async () => {
    expect(
      await problemsWith(ROOT_MODULE, 'iam.tf', (t) =>
        t.replace('  display_name = "skyfed function builds"', '  display_name = "skyfed function builds"\n  unique_id    = "1"'),
      ),
    ).toContain('google_service_account.build: unique_id is read-only (computed)');
    expect(await problemsWith(ROOT_MODULE, 'scheduler.tf', (t) => t.replace(/oidc_token \{/, 'oidc_token = {'))).toContain(
      'google_cloud_scheduler_job.job.http_target: oidc_token is a block, not an argument (use oidc_token { … })',
    );
    expect(
      await problemsWith(ROOT_MODULE, 'functions.tf', (t) =>
        t.replace(
          '  service_config {\n    available_memory      = lookup(var.function_memory, each.key, "512Mi")\n    timeout_seconds       = 300',
          '  service_config {}\n  service_config {\n    available_memory      = lookup(var.function_memory, each.key, "512Mi")\n    timeout_seconds       = 300',
        ),
      ),
    ).toContain('google_cloudfunctions2_function.firestore: at most 1 service_config block(s), got 2');
  });

  test('a provider version bumped without regenerating the schemas', async () => {
    expect(await problemsWith(ROOT_MODULE, 'versions.tf', (t) => t.replace('version = "6.50.0"', 'version = "6.51.0"'))).toContain(
      'provider google: versions.tf pins 6.51.0, the schema held is 6.50.0',
    );
  });
});
