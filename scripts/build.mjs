// Builds one ncc bundle per action: actions/<id>/src/index.ts -> dist/<id>/index.js.
// `node scripts/build.mjs <id>...` builds only the named actions.
// Deterministic: no source maps, no timestamps; licenses go to dist/<id>/licenses.txt.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = readdirSync(join(root, 'actions')).filter((id) =>
  existsSync(join(root, 'actions', id, 'action.yml')),
);
const requested = process.argv.slice(2);
for (const id of requested) {
  if (!all.includes(id)) throw new Error(`unknown action ${id}; known: ${all.join(', ')}`);
}
const actions = requested.length > 0 ? requested : all;
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
  // An action with a post step has a second entry, bundled beside the first.
  if (existsSync(join(root, 'actions', id, 'src', 'post-index.ts'))) {
    execFileSync(
      ncc,
      [
        'build',
        join('actions', id, 'src', 'post-index.ts'),
        '-o',
        join(out, 'post'),
        '--license',
        'licenses.txt',
        '--quiet',
      ],
      { cwd: root, stdio: 'inherit' },
    );
    console.log(`built dist/${id}/post/index.js`);
  }
}
