/**
 * Every command a message, an output or an action's description suggests is the shipped form
 * (`deploy-engine ...`), never one that needs a development clone of this repository.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const DEVELOPMENT_FORMS = /npm run (-s )?cli\b|npx tsx packages\/cli|tsx packages\/cli\/src/;

function productFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return productFiles(path);
    return /\.(ts|yml)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

it('names only the shipped CLI in product code and action metadata', () => {
  const files = [
    ...productFiles(join(ROOT, 'packages', 'core', 'src')),
    ...productFiles(join(ROOT, 'packages', 'action-kit', 'src')),
    ...productFiles(join(ROOT, 'actions')),
  ];
  expect(files.length).toBeGreaterThan(50);
  const offenders = files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        DEVELOPMENT_FORMS.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [],
      ),
  );
  expect(offenders).toEqual([]);
});
