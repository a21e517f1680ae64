/** Loads a Terraform module directory (its .tf files, parsed with @cdktf/hcl2json) and the held provider schemas. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { Module, ProviderSchema, mergeModule } from './schema-check';

export const REPO = join(__dirname, '..', '..', '..');
export const ROOT_MODULE = join(REPO, 'terraform');
export const AWS_MODULE = join(REPO, 'terraform', 'aws');

export async function loadModule(dir: string, replace: Readonly<Record<string, string>> = {}): Promise<Module> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
  const parts = await Promise.all(files.map(async (f) => (await parse(f, replace[f] ?? readFileSync(join(dir, f), 'utf8'))) as Partial<Module>));
  return mergeModule(parts);
}

export function tfText(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

export function loadSchemas(): Record<string, ProviderSchema> {
  const dir = join(__dirname, 'schema');
  const out: Record<string, ProviderSchema> = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')))
    out[f.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProviderSchema;
  return out;
}
