// Builds one ncc bundle per action: actions/<id>/src/index.ts -> dist/<id>/index.js, and
// actions/<id>/src/post-index.ts -> dist/<id>/post/index.js for an action with a post step,
// and the template render worker -> dist/<id>/render-worker/index.js; and the command line,
// packages/cli/src/index.ts -> dist/cli/index.js (package.json `bin`: deploy-engine), runnable with
// `node dist/cli/index.js` from a checkout without node_modules.
// `node scripts/build.mjs <id>...` builds only the named actions (`cli`: only the command line).
// `--out <folder>` builds into that folder instead of dist/ (scripts/check-dist.sh builds there
// and compares, leaving dist/ untouched while the tests run its bundles).
// Deterministic: no source maps, no timestamps; licenses go to dist/<id>/licenses.txt.
// Transpile-only: `npm run typecheck` (tsc, strict) is the type check, run by the test command.
// Each action is built into a scratch folder and moved into dist/ only once complete, so an
// interrupted build never leaves dist/ half-deleted.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = readdirSync(join(root, 'actions')).filter((id) =>
  existsSync(join(root, 'actions', id, 'action.yml')),
);
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out');
if (outFlag >= 0 && !args[outFlag + 1]) throw new Error('--out needs a folder');
const dist =
  outFlag >= 0
    ? isAbsolute(args[outFlag + 1])
      ? args[outFlag + 1]
      : resolve(args[outFlag + 1])
    : join(root, 'dist');
/** How a built file is named in the log: relative to the repository for dist/. */
const shown = (path) => (outFlag >= 0 ? path : relative(root, path));
const requested = outFlag >= 0 ? args.filter((_, i) => i !== outFlag && i !== outFlag + 1) : args;
for (const id of requested) {
  if (!all.includes(id) && id !== 'cli')
    throw new Error(`unknown action ${id}; known: ${all.join(', ')}, cli`);
}
const actions = requested.length > 0 ? requested.filter((id) => id !== 'cli') : all;
const withCli = requested.length === 0 || requested.includes('cli');
const ncc = join(root, 'node_modules', '.bin', 'ncc');

function bundle(entry, out) {
  execFileSync(
    ncc,
    ['build', entry, '-o', out, '--license', 'licenses.txt', '--transpile-only', '--quiet'],
    { cwd: root, stdio: 'inherit' },
  );
}

// Scratch folders a killed build left behind.
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name.startsWith('.')) rmSync(join(dist, name), { recursive: true, force: true });
}

// Templates render in a worker thread (packages/core/src/templates/render-plugin.ts), which loads
// its own bundle from dist/<id>/render-worker/index.js. The bundle is the same for every action
// (one entry, no action code): it is built once and copied into each action's folder.
const renderWorker = actions.length > 0 ? mkdtempSync(join(dist, '.render-worker-')) : undefined;
try {
  if (renderWorker)
    bundle(join('packages', 'core', 'src', 'templates', 'render-worker.ts'), renderWorker);
  for (const id of actions) {
    const scratch = mkdtempSync(join(dist, `.${id}-`));
    try {
      bundle(join('actions', id, 'src', 'index.ts'), scratch);
      cpSync(renderWorker, join(scratch, 'render-worker'), { recursive: true });
      const post = join('actions', id, 'src', 'post-index.ts');
      if (existsSync(join(root, post))) bundle(post, join(scratch, 'post'));
      const out = join(dist, id);
      rmSync(out, { recursive: true, force: true });
      renameSync(scratch, out);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    console.log(
      `built ${shown(join(dist, id, 'index.js'))}${existsSync(join(dist, id, 'post')) ? ' and post/index.js' : ''}`,
    );
  }
} finally {
  if (renderWorker) rmSync(renderWorker, { recursive: true, force: true });
}

if (withCli) {
  const scratch = mkdtempSync(join(dist, '.cli-'));
  try {
    bundle(join('packages', 'cli', 'src', 'index.ts'), scratch);
    // `npm install -g` links `deploy-engine` to this file: it must start with its shebang.
    const entry = join(scratch, 'index.js');
    if (!readFileSync(entry, 'utf8').startsWith('#!/usr/bin/env node\n'))
      throw new Error('dist/cli/index.js lost its #!/usr/bin/env node line');
    chmodSync(entry, 0o755);
    const out = join(dist, 'cli');
    rmSync(out, { recursive: true, force: true });
    renameSync(scratch, out);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`built ${shown(join(dist, 'cli', 'index.js'))}`);
}

// HashiCorp's HCL parser (@cdktf/hcl2json, used by the Terraform guards) reads its WebAssembly from
// `<bundle folder>/../main.wasm.gz` through fs-extra, which ncc does not relocate: one copy next to
// the action folders serves every bundle (dist/<id>/index.js). Its JavaScript bridge is bundled.
copyFileSync(
  join(root, 'node_modules', '@cdktf', 'hcl2json', 'main.wasm.gz'),
  join(dist, 'main.wasm.gz'),
);
