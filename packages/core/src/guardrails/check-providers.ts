/**
 * The provider allow-list (FEATURES_TERRAFORM_PROVIDERS), with each module's requirements derived
 * as Terraform derives them: `required_providers` sources (host registry.terraform.io and namespace
 * hashicorp by default), providers implied by resource, data and ephemeral types (the type's
 * prefix, `hashicorp/<prefix>`), `provider` blocks and `provider =` / `providers = {}` references
 * not declared, and provider-defined functions `provider::<name>::<function>`. After init the lock
 * file says what was actually selected; a lock file shipped with the project is checked too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../errors';
import { blocksOf, fromPlain, stringsIn, TreeObject, type TreeValue } from './config-tree';
import { parseHcl } from './hcl';
import { blockLine, findLine } from './locate';
import type { ConfigFile, ModuleDir, ProjectScope } from './project-files';
import { normaliseProviderSource } from './provider-sources';

export const LOCK_FILE = '.terraform.lock.hcl';

const BUILTIN = 'terraform.io/builtin/terraform';

const HINT =
  'Use an allowed provider, or add its source address to FEATURES_TERRAFORM_PROVIDERS (orchestrate-and-plan and runtime-tasks) if you trust it to run in the job.';

interface Requirement {
  local: string;
  file: ConfigFile;
  line?: number;
  why: string;
  /** An explicit source address (required_providers); otherwise implied by the local name. */
  source?: string;
}

/** The local name a `provider` reference (`aws.east`, `${aws.east}`) points at. */
function localOf(reference: TreeValue | undefined): string | undefined {
  if (typeof reference !== 'string') return undefined;
  const bare = reference.replace(/^\$\{\s*/, '').replace(/\s*\}$/, '');
  return /^([A-Za-z][A-Za-z0-9_-]*)/.exec(bare)?.[1];
}

function requirementsOf(file: ConfigFile): Requirement[] {
  const found: Requirement[] = [];
  const add = (local: string | undefined, why: string, line?: number, source?: string) => {
    if (local)
      found.push({
        local,
        file,
        why,
        ...(line !== undefined ? { line } : {}),
        ...(source !== undefined ? { source } : {}),
      });
  };
  for (const terraform of blocksOf(file.body, 'terraform', 0)) {
    for (const required of blocksOf(terraform.body, 'required_providers', 0)) {
      for (const entry of required.body.entries) {
        const value = entry.value instanceof TreeObject ? entry.value.all('source')[0] : undefined;
        const line = file.json
          ? entry.line
          : findLine(file.text, new RegExp(`^\\s*"?${entry.key}"?\\s*=`));
        add(
          entry.key,
          `required_providers entry "${entry.key}"`,
          line,
          typeof value === 'string' ? value : value === undefined ? undefined : '',
        );
      }
    }
  }
  const scoped = [file.body, ...blocksOf(file.body, 'check', 1).map((b) => b.body)];
  for (const body of scoped) {
    for (const kind of ['resource', 'data', 'ephemeral']) {
      for (const block of blocksOf(body, kind, 2)) {
        const type = block.labels[0] as string;
        const line = blockLine(file, kind, block.labels, block.line);
        const explicit = localOf(block.body.all('provider')[0]);
        add(explicit ?? type.split('_')[0], `${kind} "${type}"`, line);
      }
    }
  }
  for (const block of blocksOf(file.body, 'provider', 1))
    add(
      block.labels[0],
      `provider "${block.labels[0] ?? ''}"`,
      blockLine(file, 'provider', block.labels, block.line),
    );
  for (const block of blocksOf(file.body, 'import', 0))
    add(localOf(block.body.all('provider')[0]), 'an import block', block.line);
  for (const block of blocksOf(file.body, 'module', 1)) {
    for (const map of block.body.all('providers')) {
      if (!(map instanceof TreeObject)) continue;
      for (const entry of map.entries)
        add(
          localOf(entry.value),
          `module "${block.labels[0] ?? ''}" providers`,
          blockLine(file, 'module', block.labels, block.line),
        );
    }
  }
  for (const { text, line } of stringsIn(file.body)) {
    for (const match of text.matchAll(/provider::([A-Za-z][A-Za-z0-9_-]*)::/g))
      add(
        match[1],
        `function provider::${match[1]}::…`,
        file.json ? line : findLine(file.text, new RegExp(`provider::${match[1]}::`)),
      );
  }
  return found;
}

/** Problems with the providers one module needs. */
export function checkModuleProviders(
  scope: ProjectScope,
  module: ModuleDir,
  allowed: readonly string[],
): Problem[] {
  const requirements = module.files.flatMap(requirementsOf);
  const declared = new Map<string, string>();
  const problems: Problem[] = [];
  for (const r of requirements) {
    if (r.source === undefined) continue;
    const normal = normaliseProviderSource(r.source);
    if (!normal) {
      problems.push({
        message: `${r.why} has a source that is not one literal provider address (${r.source || 'an expression'}).`,
        location: {
          file: `${scope.label}/${r.file.rel}`,
          ...(r.line !== undefined ? { line: r.line } : {}),
        },
        hint: 'Write source = "namespace/type" (e.g. "hashicorp/aws").',
      });
      continue;
    }
    declared.set(r.local, normal);
  }
  const reported = new Set<string>();
  for (const r of requirements) {
    const source =
      declared.get(r.local) ??
      (r.local === 'terraform' ? BUILTIN : (normaliseProviderSource(r.local) ?? r.local));
    if (allowed.includes(source) || reported.has(`${source}\0${r.file.rel}`)) continue;
    reported.add(`${source}\0${r.file.rel}`);
    problems.push({
      message: `${r.why} needs provider ${source}, which FEATURES_TERRAFORM_PROVIDERS does not allow.`,
      location: {
        file: `${scope.label}/${r.file.rel}`,
        ...(r.line !== undefined ? { line: r.line } : {}),
      },
      hint: HINT,
    });
  }
  return problems;
}

/** The providers a lock file selects, each checked against the allow-list. */
export async function checkLockFile(
  scope: ProjectScope,
  allowed: readonly string[],
): Promise<Problem[]> {
  const path = join(scope.root, LOCK_FILE);
  if (!existsSync(path)) return [];
  const file = { file: `${scope.label}/${LOCK_FILE}` };
  const text = readFileSync(path, 'utf8');
  let body: TreeObject;
  try {
    body = fromPlain(await parseHcl(LOCK_FILE, text)) as TreeObject;
  } catch (error) {
    return [
      { message: `${LOCK_FILE} cannot be read: ${(error as Error).message}`, location: file },
    ];
  }
  const problems: Problem[] = [];
  for (const block of blocksOf(body, 'provider', 1)) {
    const address = block.labels[0] as string;
    const normal = normaliseProviderSource(address);
    if (normal && allowed.includes(normal)) continue;
    problems.push({
      message: `${LOCK_FILE} selects provider ${address}, which FEATURES_TERRAFORM_PROVIDERS does not allow.`,
      location: {
        ...file,
        ...(findLine(text, new RegExp(address.replace(/[.]/g, '\\.'))) !== undefined
          ? { line: findLine(text, new RegExp(address.replace(/[.]/g, '\\.'))) }
          : {}),
      },
      hint: HINT,
    });
  }
  return problems;
}
