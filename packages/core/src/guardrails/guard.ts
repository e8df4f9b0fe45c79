/**
 * The guard on a Terraform project, run by TerraformProject.init() right before `terraform init`
 * and again right after it (docs/actions.md#inputs-with-safety-meaning): every init (plans, applies, destroys, rollbacks, in
 * classic and unified mode) passes it, and the second pass, which reads the modules init
 * downloaded and the providers it selected (.terraform.lock.hcl), still comes before any provider
 * runs (providers run from validate/plan/apply, not from init).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, type Problem } from '../errors';
import {
  checkLocalExec,
  checkModuleSources,
  checkRemoteState,
  checkTerraformBlocks,
} from './check-blocks';
import { checkModulePaths } from './check-paths';
import { checkLockFile, checkModuleProviders } from './check-providers';
import type { AllowedModuleSource } from './module-sources';
import {
  projectModules,
  scanProjectTree,
  withinScope,
  type GuardStage,
  type ProjectScope,
} from './project-files';
import { DEFAULT_PROVIDERS, normaliseProviderSource } from './provider-sources';
import type { AllowedRemoteState } from './remote-state';

export type { GuardStage };

export interface GuardrailOptions {
  /** LOCAL_EXEC_ENABLED / LOCALEXEC_ENABLED. */
  localExecEnabled: boolean;
  /** FEATURES_TERRAFORM_MODULES. */
  allowedModules: readonly AllowedModuleSource[];
  /** FEATURES_TERRAFORM_PROVIDERS, normalised; DEFAULT_PROVIDERS when absent. */
  allowedProviders?: readonly string[];
  /** FEATURES_TERRAFORM_REMOTE_STATE; none when absent. */
  allowedRemoteStates?: readonly AllowedRemoteState[];
}

export interface GuardTarget {
  /** The project folder. */
  dir: string;
  /** How messages name it (e.g. `iac/orders-topic`). */
  label: string;
  /** Real folders links may lead into besides the project (the checkout linked as repodir/). */
  extraRoots?: readonly string[];
  /** Files of the engine's own at the project's top, rewritten by every init (not checked). */
  engineFiles?: readonly string[];
}

/** Marks a `.terraform` folder as this process's init's own (a plugin cannot know the token). */
const OWN_MARKER = 'deploy-engine-guarded';
const TOKEN = randomBytes(16).toString('hex');

function ownTerraformDir(dir: string): boolean {
  const marker = join(dir, OWN_MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8') === TOKEN;
}

/** Every problem of the project at this stage; empty when it may go on. */
export async function checkProject(
  target: GuardTarget,
  options: GuardrailOptions,
  stage: GuardStage,
): Promise<Problem[]> {
  const root = realpathSync(target.dir);
  const scope: ProjectScope = {
    root,
    roots: [root, ...(target.extraRoots ?? []).filter(existsSync).map((r) => realpathSync(r))],
    problems: [],
    label: target.label,
  };
  const allowedProviders =
    options.allowedProviders ?? DEFAULT_PROVIDERS.map((p) => normaliseProviderSource(p) as string);
  scanProjectTree(scope, stage, ownTerraformDir);
  const modules = await projectModules(scope, stage);
  const engineFiles = new Set(target.engineFiles ?? []);
  const problems = scope.problems;
  for (const module of modules) {
    module.files = module.files.filter((f) => !(module.key === '' && engineFiles.has(f.rel)));
    problems.push(
      ...checkModuleSources(scope, module, options.allowedModules, (dir, source) => {
        try {
          return withinScope(scope, realpathSync(join(dir, source)));
        } catch {
          return true; // a missing folder: Terraform says so itself
        }
      }),
    );
    for (const file of module.files) {
      if (!options.localExecEnabled) problems.push(...checkLocalExec(scope, file));
      problems.push(...checkTerraformBlocks(scope, file));
      problems.push(...checkRemoteState(scope, file, options.allowedRemoteStates ?? []));
    }
    problems.push(...checkModuleProviders(scope, module, allowedProviders));
    problems.push(...(await checkModulePaths(scope, module)));
  }
  problems.push(...(await checkLockFile(scope, allowedProviders)));
  return problems;
}

/**
 * Throws a ConfigurationError with every problem when the project is refused. After init, marks
 * the root's `.terraform` as init's own, so the next pass before an init in the same folder
 * accepts it (and refuses one shipped with the plugin).
 */
export async function guardProject(
  target: GuardTarget,
  options: GuardrailOptions,
  stage: GuardStage,
): Promise<void> {
  const problems = await checkProject(target, options, stage);
  if (problems.length > 0) {
    throw new ConfigurationError(
      problems,
      `${target.label} is refused ${stage === 'before-init' ? 'before' : 'right after'} terraform init (${problems.length} problem(s))`,
    );
  }
  const dotTerraform = join(target.dir, '.terraform');
  if (stage === 'after-init' && existsSync(dotTerraform))
    writeFileSync(join(dotTerraform, OWN_MARKER), TOKEN, { mode: 0o600 });
}
