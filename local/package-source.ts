/**
 * `npm run package`: the deployable folder Terraform zips (dist/package): the compiled functions
 * and shared code, a package.json whose `main` is the functions entry, and the lockfile, so Cloud
 * Build installs exactly the pinned dependencies and does not rebuild.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const out = join(root, 'dist', 'package');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const dir of ['functions', 'shared']) cpSync(join(root, 'dist', dir), join(out, 'dist', dir), { recursive: true, filter: (p) => !p.endsWith('.map') });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
writeFileSync(
  join(out, 'package.json'),
  JSON.stringify(
    {
      name: pkg['name'],
      version: pkg['version'],
      private: true,
      main: 'dist/functions/index.js',
      engines: { node: '20' },
      dependencies: pkg['dependencies'],
      // Kept so the lockfile stays in sync for `npm ci`; production installs omit them.
      devDependencies: pkg['devDependencies'],
      // An empty gcp-build keeps Cloud Build from running our TypeScript build again.
      scripts: { 'gcp-build': '' },
    },
    null,
    2,
  ),
);
cpSync(join(root, 'package-lock.json'), join(out, 'package-lock.json'));
process.stdout.write(`deployable package written to ${out}\n`);
