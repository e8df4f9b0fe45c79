/**
 * Citations of the contract stay true: every `docs/<file>.md#<section>` a source comment cites,
 * and every relative link of the contract's Markdown files (docs/, the package and folder READMEs,
 * README.md and SECURITY.md), names a file that exists and a heading it has, as GitHub makes its
 * anchors. A file renamed or a section retitled then fails here instead of leaving a dead citation.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../harness/action-metadata';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = headingAnchor(heading[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/**
 * Why `target` (a path relative to `fromDir` with an optional #anchor, or `#anchor` alone: a
 * heading of `self`) is broken, if it is.
 */
function brokenLink(fromDir: string, target: string, self?: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? self : join(fromDir, decodeURIComponent(path));
  if (file === undefined) return 'an anchor without a file';
  if (!existsSync(file)) return 'no such file';
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return 'an anchor into something that is not a Markdown file';
  return anchorsOf(file).has(anchor) ? undefined : `no heading #${anchor}`;
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path, keep) : keep(entry.name) ? [path] : [];
  });
}

/** `docs/x.md#y` written in source files (comments), resolved from the repository root. */
function citationProblems(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\bdocs\/[\w.-]+\.md(?:#[\w-]+)?/g)].flatMap(
      ([target]) => {
        const why = brokenLink(REPO_ROOT, target);
        return why ? [`${relative(REPO_ROOT, file)}: ${target}: ${why}`] : [];
      },
    ),
  );
}

/** Relative Markdown links `[text](target)` of these files. */
function linkProblems(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    let text = readFileSync(file, 'utf8');
    text = text.replace(/```[\s\S]*?```/g, '');
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)].flatMap(([, target]) => {
      if (!target || /^[a-z]+:/i.test(target)) return [];
      const why = brokenLink(dirname(file), target, file);
      return why ? [`${relative(REPO_ROOT, file)}: ${target}: ${why}`] : [];
    });
  });
}

const CONTRACT_DOCS = [
  ...filesUnder(join(REPO_ROOT, 'docs'), (n) => n.endsWith('.md')),
  ...['core', 'action-kit', 'cli'].map((p) => join(REPO_ROOT, 'packages', p, 'README.md')),
  ...filesUnder(join(REPO_ROOT, 'packages', 'core', 'src'), (n) => n === 'README.md'),
  join(REPO_ROOT, 'README.md'),
  join(REPO_ROOT, 'SECURITY.md'),
];

/** The engine's and the tests' own files (fixtures are plugins and applications of users). */
const SOURCES = ['packages', 'actions', 'test', 'scripts']
  .flatMap((dir) => filesUnder(join(REPO_ROOT, dir), (n) => /\.(ts|yml|yaml|mjs|js)$/.test(n)))
  .filter((file) => !relative(REPO_ROOT, file).startsWith(join('test', 'fixtures', 'manifest')))
  .filter((file) => file !== __filename);

it('every docs/<file>.md#<section> a source file cites exists', () => {
  const sources = SOURCES;
  expect(sources.length).toBeGreaterThan(100);
  expect(citationProblems(sources)).toEqual([]);
});

it('every relative link of docs/, the READMEs and SECURITY.md leads to a file and heading', () => {
  expect(linkProblems(CONTRACT_DOCS)).toEqual([]);
});

it('no source file cites CONTRACT.md, which is not in the repository', () => {
  const citing = SOURCES.filter((file) => /CONTRACT(\.md)? ?§/.test(readFileSync(file, 'utf8')));
  expect(citing.map((f) => relative(REPO_ROOT, f))).toEqual([]);
});

describe('the check itself', () => {
  it('makes anchors as GitHub does', () => {
    expect(headingAnchor('`.stk/stk.yaml`')).toBe('stkstkyaml');
    expect(headingAnchor('`plugin.yaml` and `templates-deploy/`')).toBe(
      'pluginyaml-and-templates-deploy',
    );
    expect(headingAnchor('Ordering and the task graph')).toBe('ordering-and-the-task-graph');
  });

  it('catches a missing section and a missing file', () => {
    expect(brokenLink(REPO_ROOT, 'docs/runs-and-tasks.md#no-such-section')).toBe(
      'no heading #no-such-section',
    );
    expect(brokenLink(REPO_ROOT, 'docs/no-such-file.md')).toBe('no such file');
    expect(brokenLink(REPO_ROOT, 'docs/runs-and-tasks.md#task-statuses')).toBeUndefined();
  });
});
