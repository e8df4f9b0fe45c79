/**
 * Which files Terraform reads, found the way Terraform finds them: the top-level `.tf` and
 * `.tf.json` files of the root module (override files included), then those of every module it
 * calls, local calls followed into their folders and, after `terraform init`, remote calls into
 * the folders `.terraform/modules/modules.json` lists. Symbolic links are followed as Terraform
 * follows them, resolved with realpath and confined to the project and the linked checkout; a file
 * that cannot be read or parsed is a problem, never skipped.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import type { Problem } from '../errors';
import type { TreeObject } from './config-tree';
import { fromPlain, blocksOf, stringAttribute } from './config-tree';
import { parseHcl } from './hcl';
import { parseJsonSyntax } from './json-syntax';

export type GuardStage = 'before-init' | 'after-init';

export interface ConfigFile {
  /** Path for messages, relative to the project (`repodir/...` for the checkout). */
  rel: string;
  text: string;
  body: TreeObject;
  json: boolean;
  /** override.tf, *_override.tf and their .tf.json forms, merged last by Terraform. */
  override: boolean;
}

export interface ModuleDir {
  /** `` for the root, `a.b` for module "b" called by module "a" (as modules.json names them). */
  key: string;
  /** Real path of the folder. */
  dir: string;
  /** Folder for messages, relative to the project. */
  rel: string;
  files: ConfigFile[];
  /** Module calls whose source is remote: checked against FEATURES_TERRAFORM_MODULES. */
  remoteCalls: { name: string; source: string; file: ConfigFile }[];
}

export interface ProjectScope {
  /** Real path of the project folder. */
  root: string;
  /** Real paths links may lead into: the project and the linked checkout. */
  roots: string[];
  problems: Problem[];
  /** The project's label in messages (e.g. `iac/orders-topic`). */
  label: string;
}

export function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function withinScope(scope: ProjectScope, real: string): boolean {
  return scope.roots.some((root) => inside(root, real));
}

/** The path for messages: relative to the project, or the real path under the checkout. */
export function display(scope: ProjectScope, real: string, rel?: string): string {
  return `${scope.label}/${rel ?? relative(scope.root, real).split(sep).join('/')}`;
}

/** Files Terraform ignores in a module folder (hidden, editor backups and autosaves). */
function ignoredByTerraform(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || (name.startsWith('#') && name.endsWith('#'));
}

export function isOverrideFile(name: string): boolean {
  return /^(.*_)?override\.tf(\.json)?$/.test(name);
}

async function readConfigFile(
  scope: ProjectScope,
  path: string,
  rel: string,
): Promise<ConfigFile | undefined> {
  const name = posix.basename(rel);
  const json = name.endsWith('.tf.json');
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    scope.problems.push({
      message: `${rel} is a symbolic link to nothing, which Terraform cannot read.`,
      location: { file: `${scope.label}/${rel}` },
      hint: 'Remove the link.',
    });
    return undefined;
  }
  if (!withinScope(scope, real)) {
    scope.problems.push({
      message: `${rel} is a symbolic link to ${real}, outside the project and the checkout.`,
      location: { file: `${scope.label}/${rel}` },
      hint: 'Keep Terraform files inside the plugin (or the repository with CHECKOUT_BRANCH).',
    });
    return undefined;
  }
  const text = readFileSync(real, 'utf8');
  try {
    const body = json
      ? parseJsonSyntax(text)
      : (fromPlain(await parseHcl(name, text)) as TreeObject);
    return { rel, text, body, json, override: isOverrideFile(name) };
  } catch (error) {
    scope.problems.push({
      message: `${rel} cannot be read as Terraform ${json ? 'JSON' : 'HCL'} syntax: ${(error as Error).message}`,
      location: { file: `${scope.label}/${rel}` },
      hint: 'Fix the syntax: the guards refuse what they cannot read.',
    });
    return undefined;
  }
}

/** The `.tf`/`.tf.json` files at the top of one module folder, as Terraform loads them. */
async function moduleFiles(scope: ProjectScope, dir: string, rel: string): Promise<ConfigFile[]> {
  const files: ConfigFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (ignoredByTerraform(name) || !(name.endsWith('.tf') || name.endsWith('.tf.json'))) continue;
    const path = join(dir, name);
    // Terraform reads links to files, and skips folders named like files.
    if (existsSync(path) && statSync(path).isDirectory()) continue;
    const file = await readConfigFile(scope, path, rel ? `${rel}/${name}` : name);
    if (file) files.push(file);
  }
  return files;
}

/** A source Terraform reads from the local disk (`./x`, `../x`), as Terraform recognises them. */
export function isLocalSource(source: string): boolean {
  return /^\.\.?[/\\]/.test(source);
}

/** modules.json: where `terraform init` put each module call (remote ones downloaded). */
function installedModules(root: string): Map<string, string> {
  const path = join(root, '.terraform', 'modules', 'modules.json');
  const dirs = new Map<string, string>();
  if (!existsSync(path)) return dirs;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as {
    Modules?: { Key?: string; Dir?: string }[];
  };
  for (const m of parsed.Modules ?? []) if (m.Key && m.Dir) dirs.set(m.Key, m.Dir);
  return dirs;
}

/**
 * Every module folder Terraform reads, from the root down. Remote calls are listed on their
 * module (checked by the caller); after init, their downloaded folders are walked as well.
 */
export async function projectModules(scope: ProjectScope, stage: GuardStage): Promise<ModuleDir[]> {
  const installed =
    stage === 'after-init' ? installedModules(scope.root) : new Map<string, string>();
  const modules: ModuleDir[] = [];
  const seen = new Set<string>();
  const visit = async (key: string, dir: string, rel: string, depth: number): Promise<void> => {
    if (seen.has(`${key}\0${dir}`) || depth > 50) return;
    seen.add(`${key}\0${dir}`);
    const module: ModuleDir = {
      key,
      dir,
      rel,
      files: await moduleFiles(scope, dir, rel),
      remoteCalls: [],
    };
    modules.push(module);
    for (const file of module.files) {
      for (const call of blocksOf(file.body, 'module', 1)) {
        const name = call.labels[0] as string;
        const source = stringAttribute(call.body, 'source');
        if (source === undefined || source.includes('${') || source.includes('%{')) continue; // reported by checkModuleSources
        const childKey = key ? `${key}.${name}` : name;
        if (isLocalSource(source)) {
          if (source.includes('\\')) continue; // refused by checkModuleSources
          const target = join(dir, source);
          let real: string;
          try {
            real = realpathSync(target);
          } catch {
            continue; // Terraform reports the missing folder itself
          }
          if (!withinScope(scope, real)) continue; // refused by checkModuleSources
          const childRel = posix.normalize(posix.join(rel || '.', source.replace(/\/+$/, '')));
          await visit(
            childKey,
            real,
            inside(scope.root, real) ? relative(scope.root, real).split(sep).join('/') : childRel,
            depth + 1,
          );
          continue;
        }
        module.remoteCalls.push({ name, source, file });
        const downloaded = installed.get(childKey);
        if (downloaded !== undefined) {
          const real = realpathSync(join(scope.root, downloaded));
          if (!inside(scope.root, real)) {
            scope.problems.push({
              message: `terraform init put module ${childKey} in ${real}, outside the project.`,
              location: {
                file: display(
                  scope,
                  join(scope.root, '.terraform/modules/modules.json'),
                  '.terraform/modules/modules.json',
                ),
              },
            });
            continue;
          }
          await visit(childKey, real, relative(scope.root, real).split(sep).join('/'), depth + 1);
        } else if (stage === 'after-init') {
          scope.problems.push({
            message: `module ${childKey} (${source}) is not among the modules terraform init installed, so the guards could not read it.`,
            location: { file: `${scope.label}/${file.rel}` },
          });
        }
      }
    }
  };
  await visit('', scope.root, '', 0);
  return modules;
}

/**
 * Files and folders that change where Terraform installs providers from or how it is configured,
 * anywhere in the project (links followed, confined): `terraform.d` (an implicit local provider
 * mirror), `.terraform` (pre-installed providers and modules; the root's own is init's, marked by
 * `ownTerraformDir`), `terraform.rc` and `.terraformrc`. Also refuses links leading outside.
 */
export function scanProjectTree(
  scope: ProjectScope,
  stage: GuardStage,
  ownTerraformDir: (dir: string) => boolean,
): void {
  const seen = new Set<string>();
  const walk = (dir: string, rel: string, depth: number): void => {
    if (seen.has(dir) || depth > 64) return;
    seen.add(dir);
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const where = { file: `${scope.label}/${relPath}` };
      let stat = lstatSync(path);
      let real = path;
      if (stat.isSymbolicLink()) {
        try {
          real = realpathSync(path);
        } catch {
          continue; // a dangling link: nothing to read through it
        }
        if (!withinScope(scope, real)) {
          scope.problems.push({
            message: `${relPath} is a symbolic link to ${real}, outside the project and the checkout.`,
            location: where,
            hint: 'Remove the link: Terraform code and the files it reads must stay inside the project.',
          });
          continue;
        }
        stat = statSync(real);
      }
      if (rel === '' && name === '.terraform' && stat.isDirectory()) {
        if (stage === 'after-init' || ownTerraformDir(real)) {
          // init's own folder: only downloaded modules are plugin code.
          const modules = join(real, 'modules');
          if (existsSync(modules)) walk(modules, `${relPath}/modules`, depth + 1);
          continue;
        }
      }
      if (
        ((name === 'terraform.d' || name === '.terraform') && stat.isDirectory()) ||
        name === 'terraform.rc' ||
        name === '.terraformrc'
      ) {
        scope.problems.push({
          message: `${relPath} is refused: Terraform would read it as ${name === 'terraform.d' ? 'a local provider mirror (terraform.d/plugins)' : name === '.terraform' ? 'pre-installed providers and modules' : 'a CLI configuration'}.`,
          location: where,
          hint: 'Remove it from the plugin (or the repository): providers are installed only from the configured registry and mirrors.',
        });
        continue;
      }
      if (stat.isDirectory()) walk(real, relPath, depth + 1);
    }
  };
  walk(scope.root, '', 0);
}
