#!/usr/bin/env node
/**
 * Regenerates test/unit/terraform/schema/*.json: the part of each pinned Terraform provider's schema
 * that terraform/ uses, in the shape of `terraform providers schema -json` (block → attributes +
 * block_types with nesting_mode/min_items/max_items).
 *
 * Source: the CDK for Terraform prebuilt provider packages on the npm registry. Each is generated from
 * the provider's own schema at one provider version (package.json `cdktf.provider.version`); we read
 * the package's jsii assembly (.jsii: which arguments are optional) and its generated code
 * (lib/<type>/index.js: the Terraform name of every argument, whether it is a nested block and of
 * which kind, and the computed attributes a reference may read).
 *
 * Usage: node scripts/terraform-schema.mjs   (needs the npm registry; run after changing versions.tf
 * or using a new resource type). The pins below must equal the `version` pins in versions.tf.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test/unit/terraform/schema');
/** Terraform provider → CDKTF package pinned to the same provider version. */
const PROVIDERS = {
  google: { source: 'registry.terraform.io/hashicorp/google', version: '6.50.0', pkg: '@cdktf/provider-google', pkgVersion: '16.12.1' },
  archive: { source: 'registry.terraform.io/hashicorp/archive', version: '2.7.1', pkg: '@cdktf/provider-archive', pkgVersion: '11.0.1' },
  random: { source: 'registry.terraform.io/hashicorp/random', version: '3.7.2', pkg: '@cdktf/provider-random', pkgVersion: '12.0.1' },
  aws: { source: 'registry.terraform.io/hashicorp/aws', version: '6.25.0', pkg: '@cdktf/provider-aws', pkgVersion: '21.22.1' },
};

/** Resource and data types used by every module under terraform/ (plus any named on the command line). */
async function usedTypes() {
  const used = { resource: new Set(), data: new Set() };
  const walk = async (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.')) await walk(p);
      else if (e.name.endsWith('.tf')) {
        const tf = await parse(e.name, readFileSync(p, 'utf8'));
        for (const t of Object.keys(tf.resource ?? {})) used.resource.add(t);
        for (const t of Object.keys(tf.data ?? {})) used.data.add(t);
      }
    }
  };
  await walk(join(ROOT, 'terraform'));
  for (const a of process.argv.slice(2)) (a.startsWith('data.') ? used.data : used.resource).add(a.replace(/^data\./, ''));
  return used;
}

const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);
const upperFirst = (s) => s[0].toUpperCase() + s.slice(1);

/** The `attrs = { name: { value, isBlock, type, storageClassType } }` entries of one generated HCL mapper. */
function hclEntries(body) {
  const re = /^\s+([a-z0-9_]+): \{\n\s+value: (.*),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\}/gm;
  const out = [];
  for (const m of body.matchAll(re)) {
    const camel = /(?:struct\.|this\._)(\w+)/.exec(m[2])?.[1];
    const nested = /(\w+)ToHclTerraform\b/.exec(m[2].replace(/cdktf\.\w+ToHclTerraform/g, ''))?.[1];
    out.push({ name: m[1], camel, isBlock: m[3] === 'true', kind: m[4], nested });
  }
  return out;
}

/** Text of a top-level `function NAME(` or `class NAME ` up to the next top-level declaration. */
function section(js, head) {
  const i = js.indexOf(`\n${head}`);
  if (i < 0) return undefined;
  const rest = js.slice(i + 1);
  const end = rest.slice(1).search(/\n(function |class |exports\.)/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

function computedNames(classBody) {
  const names = new Set();
  for (const m of (classBody ?? '').matchAll(/(?:get\w*Attribute|interpolationForAttribute)\('([a-z0-9_]+)'\)/g)) names.add(m[1]);
  for (const m of (classBody ?? '').matchAll(/new [\w.]+\(this, "([a-z0-9_]+)"/g)) names.add(m[1]);
  return names;
}

function buildBlock(ctx, entries, structFqn, className) {
  const struct = ctx.types[structFqn];
  if (!struct) throw new Error(`no jsii struct ${structFqn}`);
  const props = new Map((struct.properties ?? []).map((p) => [p.name, p]));
  const block = { attributes: {}, block_types: {} };
  for (const e of entries) {
    const prop = props.get(e.camel);
    if (!prop) throw new Error(`${structFqn}: no property ${e.camel} for ${e.name}`);
    const required = !prop.optional;
    if (e.isBlock) {
      const nestedName = upperFirst(e.nested);
      const body = section(ctx.js, `function ${e.nested}ToHclTerraform(`);
      const inner = buildBlock(ctx, hclEntries(body), `${ctx.ns}.${nestedName}`, `${nestedName}OutputReference`);
      const single = Boolean(prop.type.fqn);
      block.block_types[e.name] = {
        nesting_mode: e.kind === 'set' ? 'set' : 'list',
        ...(required ? { min_items: 1 } : {}),
        ...(single ? { max_items: 1 } : {}),
        block: inner,
      };
    } else {
      block.attributes[e.name] = required ? { required: true } : { optional: true };
    }
  }
  for (const c of computedNames(section(ctx.js, `class ${className} `))) {
    if (!(c in block.attributes) && !(c in block.block_types)) block.attributes[c] = { computed: true };
  }
  return sortBlock(block);
}

function sortBlock(b) {
  const sort = (o) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
  return { attributes: sort(b.attributes), block_types: sort(b.block_types) };
}

function extract(dir, jsii, type, kind, prefix) {
  const guess = kind === 'provider' ? 'provider' : kind === 'data' ? `data-${type.replace(/_/g, '-')}` : type.slice(prefix.length).replace(/_/g, '-');
  const libs = [guess, ...readdirSync(join(dir, 'lib')).filter((f) => f !== guess)];
  const base = { data: 'cdktf.TerraformDataSource', resource: 'cdktf.TerraformResource', provider: 'cdktf.TerraformProvider' }[kind];
  for (const folder of libs) {
    const file = join(dir, 'lib', folder, 'index.js');
    if (!existsSync(file)) continue;
    const js = readFileSync(file, 'utf8');
    const m = new RegExp(`\\n(\\w+)\\.tfResourceType = "${type}";`).exec(js);
    if (!m) continue;
    const className = m[1];
    const cls = Object.values(jsii.types).find(
      (t) => t.kind === 'class' && t.name === className && t.base === base && t.locationInModule?.filename === `src/${folder}/index.ts`,
    );
    if (!cls) continue;
    const ctx = { js, types: jsii.types, ns: `${jsii.name}.${cls.namespace}` };
    const body = section(js, `class ${className} `);
    const hcl = body.slice(body.indexOf('synthesizeHclAttributes() {'));
    return { block: buildBlock(ctx, hclEntries(hcl), `${ctx.ns}.${className}Config`, className) };
  }
  return undefined;
}

async function main() {
  const used = await usedTypes();
  const versionsTf =
    readFileSync(join(ROOT, 'terraform/versions.tf'), 'utf8') +
    (existsSync(join(ROOT, 'terraform/aws/versions.tf')) ? readFileSync(join(ROOT, 'terraform/aws/versions.tf'), 'utf8') : '');
  const tmp = mkdtempSync(join(tmpdir(), 'tfschema-'));
  try {
    for (const [local, p] of Object.entries(PROVIDERS)) {
      const prefix = `${local}_`;
      const resources = [...used.resource].filter((t) => t.startsWith(prefix)).sort();
      const datas = [...used.data].filter((t) => t.startsWith(prefix)).sort();
      if (resources.length + datas.length === 0) continue;
      if (!new RegExp(`${local}\\s*=\\s*\\{[^}]*version\\s*=\\s*"=?\\s*${p.version.replace(/\./g, '\\.')}"`).test(versionsTf)) {
        throw new Error(`versions.tf does not pin ${local} to ${p.version}`);
      }
      const tgz = execFileSync('npm', ['pack', `${p.pkg}@${p.pkgVersion}`, '--silent', '--pack-destination', tmp], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop();
      const dir = join(tmp, local);
      execFileSync('mkdir', ['-p', dir]);
      execFileSync('tar', [
        'xzf',
        join(tmp, tgz),
        '-C',
        dir,
        '--strip-components=1',
        '--wildcards',
        'package/.jsii',
        'package/package.json',
        'package/lib/*/index.js',
      ]);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.cdktf?.provider?.version !== p.version)
        throw new Error(`${p.pkg}@${p.pkgVersion} is for ${local} ${pkg.cdktf?.provider?.version}, not ${p.version}`);
      const jsii = JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8'));
      const out = {
        provider: p.source,
        provider_schema: extract(dir, jsii, local, 'provider', prefix),
        version: p.version,
        extracted_from: `${p.pkg}@${p.pkgVersion}`,
        resource_schemas: {},
        data_source_schemas: {},
      };
      for (const t of resources) {
        const s = extract(dir, jsii, t, 'resource', prefix);
        if (s) out.resource_schemas[t] = s; // an unknown type is left out: the check reports it
      }
      for (const t of datas) {
        const s = extract(dir, jsii, t, 'data', prefix);
        if (s) out.data_source_schemas[t] = s;
      }
      writeFileSync(join(OUT, `${local}.json`), `${JSON.stringify(out, null, 1)}\n`);
      console.log(
        `${local} ${p.version}: ${Object.keys(out.resource_schemas).length} resource types, ${Object.keys(out.data_source_schemas).length} data types`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
