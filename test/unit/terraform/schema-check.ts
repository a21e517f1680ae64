/**
 * What `terraform validate` would say about a module, without the terraform binary: every resource
 * and data type, argument and nested block (at every depth, `dynamic` blocks included) against the
 * pinned providers' schemas (test/unit/terraform/schema/*.json, made by scripts/terraform-schema.mjs),
 * every required argument and block present, and every reference (var., local., data., resources and
 * their attributes) resolving. Pure: takes the parsed module (@cdktf/hcl2json) and returns problems.
 */
export interface SchemaBlock {
  attributes: Record<string, { required?: boolean; optional?: boolean; computed?: boolean }>;
  block_types: Record<string, { nesting_mode: string; min_items?: number; max_items?: number; block: SchemaBlock }>;
}
export interface ProviderSchema {
  provider: string;
  version: string;
  provider_schema?: { block: SchemaBlock };
  resource_schemas: Record<string, { block: SchemaBlock }>;
  data_source_schemas: Record<string, { block: SchemaBlock }>;
}

type Body = Record<string, unknown>;
type Named = Record<string, Record<string, Body[]>>;
/** One module: the hcl2json output of its .tf files, merged. */
export interface Module {
  resource: Named;
  data: Named;
  variable: Record<string, Body[]>;
  locals: Body[];
  output: Record<string, Body[]>;
  provider: Record<string, Body[]>;
  terraform: Body[];
  module: Record<string, Body[]>;
}

export interface SchemaReport {
  problems: string[];
  /** Resource and data blocks checked, and arguments/blocks checked at every depth. */
  blocks: number;
  arguments: number;
}

const META_RESOURCE = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);
const META_DATA = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle']);
const LIFECYCLE = new Set(['create_before_destroy', 'prevent_destroy', 'ignore_changes', 'replace_triggered_by', 'precondition', 'postcondition']);

export function mergeModule(parts: readonly Partial<Module>[]): Module {
  const m: Module = { resource: {}, data: {}, variable: {}, locals: [], output: {}, provider: {}, terraform: [], module: {} };
  const dup: string[] = [];
  for (const p of parts) {
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(p[kind] ?? {})) {
        for (const name of Object.keys(byName)) if (m[kind][type]?.[name]) dup.push(`${kind} ${type}.${name}`);
        m[kind][type] = { ...(m[kind][type] ?? {}), ...byName };
      }
    }
    for (const kind of ['variable', 'output', 'provider', 'module'] as const) {
      for (const [name, blocks] of Object.entries(p[kind] ?? {})) {
        if (m[kind][name] && kind !== 'provider') dup.push(`${kind} ${name}`);
        m[kind][name] = [...(m[kind][name] ?? []), ...blocks];
      }
    }
    m.locals.push(...(p.locals ?? []));
    m.terraform.push(...(p.terraform ?? []));
  }
  if (dup.length) throw new Error(`declared twice: ${dup.join(', ')}`);
  return m;
}

/** The local provider name a resource type belongs to (`google_storage_bucket` → google). */
const providerOf = (type: string): string => type.split('_')[0] as string;

export function checkSchema(mod: Module, schemas: Readonly<Record<string, ProviderSchema>>): SchemaReport {
  const report: SchemaReport = { problems: [], blocks: 0, arguments: 0 };
  const problem = (p: string): void => void report.problems.push(p);

  // Providers the module requires must be pinned to exactly the version whose schema we hold.
  const required = Object.assign({}, ...mod.terraform.flatMap((t) => (t['required_providers'] as Body[] | undefined) ?? [])) as Record<string, Body>;
  for (const [local, req] of Object.entries(required)) {
    const s = schemas[local];
    if (!s) problem(`provider ${local}: no schema held for it`);
    else if (String(req['version']).replace(/^=\s*/, '') !== s.version)
      problem(`provider ${local}: versions.tf pins ${String(req['version'])}, the schema held is ${s.version}`);
  }
  for (const [local, blocks] of Object.entries(mod.provider)) {
    const s = schemas[local]?.provider_schema;
    if (!(local in required)) problem(`provider "${local}" is configured but not in required_providers`);
    if (s) for (const b of blocks) checkBody(b, s.block, `provider.${local}`, new Set(['alias']), report);
  }

  for (const [kind, group, meta] of [
    ['resource', mod.resource, META_RESOURCE],
    ['data', mod.data, META_DATA],
  ] as const) {
    for (const [type, byName] of Object.entries(group)) {
      const local = providerOf(type);
      const schema = kind === 'resource' ? schemas[local]?.resource_schemas[type] : schemas[local]?.data_source_schemas[type];
      for (const [name, blocks] of Object.entries(byName)) {
        const where = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
        report.blocks++;
        if (!(local in required)) problem(`${where}: provider ${local} is not in required_providers`);
        if (!schema) {
          problem(`${where}: unknown ${kind === 'data' ? 'data source' : 'resource'} type ${type} in provider ${local} ${schemas[local]?.version ?? '(none)'}`);
          continue;
        }
        for (const b of blocks) {
          checkBody(b, schema.block, where, meta, report);
          for (const lc of (b['lifecycle'] as Body[] | undefined) ?? []) {
            for (const k of Object.keys(lc)) if (!LIFECYCLE.has(k)) problem(`${where}: lifecycle has no argument ${k}`);
          }
          if (b['count'] !== undefined && b['for_each'] !== undefined) problem(`${where}: count and for_each together`);
          const text = JSON.stringify(b);
          if (/\beach\.(key|value)\b/.test(text) && b['for_each'] === undefined) problem(`${where}: uses each.* without for_each`);
          if (/\bcount\.index\b/.test(text) && b['count'] === undefined) problem(`${where}: uses count.index without count`);
        }
      }
    }
  }
  for (const p of checkReferences(mod, schemas)) problem(p);
  return report;
}

function checkBody(body: Body, schema: SchemaBlock, where: string, meta: ReadonlySet<string>, report: SchemaReport): void {
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    if (key === 'dynamic') {
      for (const [blockName, dyns] of Object.entries(value as Record<string, Body[]>)) {
        report.arguments++;
        const bt = schema.block_types[blockName];
        if (!bt) {
          report.problems.push(`${where}: dynamic "${blockName}": no such block type`);
          continue;
        }
        seen.add(blockName);
        for (const d of dyns) {
          for (const k of Object.keys(d))
            if (!['for_each', 'iterator', 'labels', 'content'].includes(k)) report.problems.push(`${where}.dynamic.${blockName}: unexpected ${k}`);
          if (d['for_each'] === undefined) report.problems.push(`${where}.dynamic.${blockName}: for_each is required`);
          const contents = (d['content'] as Body[] | undefined) ?? [];
          if (contents.length !== 1) report.problems.push(`${where}.dynamic.${blockName}: needs exactly one content block`);
          for (const c of contents) checkBody(c, bt.block, `${where}.${blockName}`, new Set(), report);
        }
      }
      continue;
    }
    report.arguments++;
    const attr = schema.attributes[key];
    const bt = schema.block_types[key];
    if (attr) {
      seen.add(key);
      if (attr.computed && !attr.optional && !attr.required) report.problems.push(`${where}: ${key} is read-only (computed)`);
    } else if (bt) {
      seen.add(key);
      if (!Array.isArray(value) || !value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
        report.problems.push(`${where}: ${key} is a block, not an argument (use ${key} { … })`);
        continue;
      }
      if (bt.max_items !== undefined && value.length > bt.max_items)
        report.problems.push(`${where}: at most ${bt.max_items} ${key} block(s), got ${value.length}`);
      for (const v of value as Body[]) checkBody(v, bt.block, `${where}.${key}`, new Set(), report);
    } else {
      report.problems.push(`${where}: unsupported argument or block "${key}"`);
    }
  }
  for (const [name, a] of Object.entries(schema.attributes))
    if (a.required && !seen.has(name)) report.problems.push(`${where}: required argument "${name}" is missing`);
  for (const [name, b] of Object.entries(schema.block_types))
    if ((b.min_items ?? 0) > 0 && !seen.has(name)) report.problems.push(`${where}: required block "${name}" is missing`);
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      strings([k], out);
      strings(x, out);
    }
  }
  return out;
}

/** `${…}` expressions in a string (nested braces included). */
function expressions(s: string): string[] {
  const out: string[] = [];
  for (let i = s.indexOf('${'); i >= 0; i = s.indexOf('${', i + 2)) {
    let depth = 0;
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === '{') depth++;
      else if (s[j] === '}' && --depth === 0) {
        out.push(s.slice(i + 2, j));
        break;
      }
    }
  }
  return out;
}

function checkReferences(mod: Module, schemas: Readonly<Record<string, ProviderSchema>>): string[] {
  const problems: string[] = [];
  const locals = new Set(mod.locals.flatMap((l) => Object.keys(l)));
  const providers = new Set(Object.keys(schemas));
  const sources: [string, unknown][] = [];
  for (const [kind, group] of [
    ['resource', mod.resource],
    ['data', mod.data],
  ] as const) {
    for (const [type, byName] of Object.entries(group))
      for (const [name, b] of Object.entries(byName)) sources.push([`${kind === 'data' ? 'data.' : ''}${type}.${name}`, b]);
  }
  for (const [name, b] of Object.entries(mod.output)) sources.push([`output ${name}`, b]);
  for (const [name, b] of Object.entries(mod.variable)) sources.push([`variable ${name}`, (b as Body[]).map((x) => x['validation'])]);
  for (const l of mod.locals) for (const [name, v] of Object.entries(l)) sources.push([`local.${name}`, v]);
  for (const [name, b] of Object.entries(mod.provider)) sources.push([`provider ${name}`, b]);

  for (const [from, value] of sources) {
    for (const expr of strings(value).flatMap(expressions)) {
      for (const m of expr.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g))
        if (!mod.variable[m[1] as string]) problems.push(`${from}: reference to undeclared variable var.${m[1]}`);
      for (const m of expr.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g))
        if (!locals.has(m[1] as string)) problems.push(`${from}: reference to undeclared local.${m[1]}`);
      for (const m of expr.matchAll(/(?<![\w.])data\.([a-z0-9]+_[a-z0-9_]+)\.([A-Za-z_][\w-]*)((?:\[[^\]]*\])*(?:\.[A-Za-z_]\w*(?:\[[^\]]*\])*)*)/g)) {
        const [, type, name, path] = m as unknown as [string, string, string, string];
        if (!mod.data[type]?.[name]) problems.push(`${from}: reference to undeclared data.${type}.${name}`);
        else attributePath(schemas[providerOf(type)]?.data_source_schemas[type]?.block, path, `data.${type}.${name}`, from, problems);
      }
      for (const m of expr.matchAll(/(?<![\w.])([a-z0-9]+_[a-z0-9_]+)\.([A-Za-z_][\w-]*)((?:\[[^\]]*\])*(?:\.[A-Za-z_]\w*(?:\[[^\]]*\])*)*)/g)) {
        const [, type, name, path] = m as unknown as [string, string, string, string];
        if (!providers.has(providerOf(type))) continue;
        if (!mod.resource[type]?.[name]) problems.push(`${from}: reference to undeclared resource ${type}.${name}`);
        else attributePath(schemas[providerOf(type)]?.resource_schemas[type]?.block, path, `${type}.${name}`, from, problems);
      }
    }
  }
  return problems;
}

/** `[k].a[0].b` after a resource address: each name must be an attribute or block of the level above. */
function attributePath(block: SchemaBlock | undefined, path: string, addr: string, from: string, problems: string[]): void {
  let b = block;
  for (const m of path.replace(/\[[^\]]*\]/g, '').matchAll(/\.([A-Za-z_]\w*)/g)) {
    if (!b) return;
    const name = m[1] as string;
    if (b.attributes[name]) return; // an attribute's own contents (maps, objects) are not in the schema
    const bt = b.block_types[name];
    if (!bt) {
      problems.push(`${from}: ${addr} has no attribute ${name}`);
      return;
    }
    b = bt.block;
  }
}
