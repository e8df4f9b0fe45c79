// Builds one ncc bundle per action: actions/<id>/src/index.ts -> dist/<id>/index.js.
// Deterministic: no source maps, no timestamps; licenses go to dist/<id>/licenses.txt.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const actions = readdirSync(join(root, 'actions')).filter((id) =>
  existsSync(join(root, 'actions', id, 'action.yml')),
);
const ncc = join(root, 'node_modules', '.bin', 'ncc');
for (const id of actions) {
  const out = join(root, 'dist', id);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    ncc,
    [
      'build',
      join('actions', id, 'src', 'index.ts'),
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  console.log(`built dist/${id}/index.js`);
}
