/**
 * Checks of what blocks a module declares: local-exec provisioners, module sources, `terraform`
 * blocks that would change the engine's backend, and `terraform_remote_state` data sources.
 */
import { posix } from 'node:path';
import type { Problem } from '../errors';
import { blocksOf, objectsIn, stringAttribute, TreeObject, type TreeValue } from './config-tree';
import { isTemplate } from './hcl';
import { blockLine, findLine } from './locate';
import { moduleSourceAllowed, type AllowedModuleSource } from './module-sources';
import { isLocalSource, type ConfigFile, type ModuleDir, type ProjectScope } from './project-files';
import type { AllowedRemoteState } from './remote-state';

const LOCAL_EXEC_HINT =
  'Remove it, or set LOCAL_EXEC_ENABLED (orchestrate-and-plan) and LOCALEXEC_ENABLED (runtime-tasks) to true if you trust every plugin to run commands on the runner.';

function where(scope: ProjectScope, file: ConfigFile, line: number | undefined) {
  return { file: `${scope.label}/${file.rel}`, ...(line !== undefined ? { line } : {}) };
}

/**
 * local-exec provisioners anywhere in a file: in resources, in `removed` blocks, at any depth and
 * in any spelling (quoted or bare label, JSON syntax); `dynamic "provisioner"` too.
 */
export function checkLocalExec(scope: ProjectScope, file: ConfigFile): Problem[] {
  const problems: Problem[] = [];
  const owners = ['resource', 'data', 'removed'].flatMap((type) =>
    blocksOf(file.body, type, type === 'removed' ? 0 : 2).map((block) => ({ type, block })),
  );
  for (const body of objectsIn(file.body)) {
    for (const block of blocksOf(body, 'provisioner', 1)) {
      if (block.labels[0] !== 'local-exec') continue;
      const owner = owners.find((o) => [...objectsIn(o.block.body)].includes(block.body));
      const ownerLine = owner && blockLine(file, owner.type, owner.block.labels, owner.block.line);
      const name = owner
        ? `${owner.type}${owner.block.labels.length > 0 ? ` "${owner.block.labels.join('.')}"` : ''}`
        : 'A block';
      problems.push({
        message: `${name} uses the local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids.`,
        location: where(
          scope,
          file,
          file.json
            ? block.line
            : findLine(file.text, /\bprovisioner\s+"?local-exec"?/, ownerLine ?? 1),
        ),
        hint: LOCAL_EXEC_HINT,
      });
    }
    for (const block of blocksOf(body, 'dynamic', 1)) {
      if (block.labels[0] !== 'provisioner') continue;
      problems.push({
        message: `${file.rel} generates provisioner blocks with dynamic, which the guards cannot read.`,
        location: where(scope, file, blockLine(file, 'dynamic', ['provisioner'], block.line)),
        hint: 'Write provisioners out.',
      });
    }
  }
  return problems;
}

/**
 * Module sources: a literal string (no expression, no parentheses, no interpolation); local ones
 * inside the project or the checkout; remote ones under a FEATURES_TERRAFORM_MODULES entry.
 */
export function checkModuleSources(
  scope: ProjectScope,
  module: ModuleDir,
  allowed: readonly AllowedModuleSource[],
  resolveLocal: (dir: string, source: string) => boolean,
): Problem[] {
  const problems: Problem[] = [];
  for (const file of module.files) {
    for (const call of blocksOf(file.body, 'module', 1)) {
      const name = call.labels[0] as string;
      const line = blockLine(file, 'module', [name], call.line);
      const sources = call.body.all('source');
      const source = sources[0];
      if (sources.length !== 1 || typeof source !== 'string' || isTemplate(source)) {
        problems.push({
          message: `module "${name}" has a source that is not one literal string${typeof source === 'string' ? ` (${source})` : ''}.`,
          location: where(scope, file, line),
          hint: 'Write the source as a plain quoted string: the guards check it before Terraform reads it.',
        });
        continue;
      }
      if (isLocalSource(source)) {
        if (source.includes('\\') || !resolveLocal(module.dir, source)) {
          problems.push({
            message: `module "${name}" has source ${source}, which leaves the project.`,
            location: where(scope, file, line),
            hint: 'Local modules must be folders inside the plugin (or the checkout, with CHECKOUT_BRANCH).',
          });
        }
        continue;
      }
      if (!moduleSourceAllowed(source, allowed)) {
        problems.push({
          message: `module "${name}" has source ${source}, which no FEATURES_TERRAFORM_MODULES entry allows.`,
          location: where(scope, file, line),
          hint: 'Add its host/org (gitHttps) or namespace (terraformRegistry) to FEATURES_TERRAFORM_MODULES, or use a local module.',
        });
      }
    }
  }
  return problems;
}

/**
 * `terraform` blocks: `backend` and `cloud` are the engine's (it writes its own backend override,
 * zz_deploy_engine_backend_override.tf), and a `terraform` block in an override file is refused
 * because Terraform merges override files in lexical order, after the engine's.
 */
export function checkTerraformBlocks(scope: ProjectScope, file: ConfigFile): Problem[] {
  const problems: Problem[] = [];
  const blocks = blocksOf(file.body, 'terraform', 0);
  if (file.override && blocks.length > 0) {
    problems.push({
      message: `${file.rel} is an override file with a terraform block, which could change the engine's backend settings.`,
      location: where(scope, file, blockLine(file, 'terraform', [], blocks[0]?.line)),
      hint: 'Move the terraform block into a file whose name does not end in override.tf.',
    });
  }
  for (const block of blocks) {
    for (const type of ['backend', 'cloud']) {
      if (block.body.all(type).length === 0) continue;
      problems.push({
        message: `${file.rel} declares a ${type} block: the engine chooses where the state lives.`,
        location: where(
          scope,
          file,
          file.json ? block.body.lineOf(type) : findLine(file.text, new RegExp(`^\\s*${type}\\b`)),
        ),
        hint: `Remove the ${type} block.`,
      });
    }
  }
  return problems;
}

function literal(value: TreeValue | undefined): string | undefined {
  return typeof value === 'string' && !isTemplate(value) ? value : undefined;
}

/**
 * `data "terraform_remote_state"`: refused unless FEATURES_TERRAFORM_REMOTE_STATE allows it: only
 * backend "s3" with a literal config of bucket, key (under an allowed keyPrefix) and region.
 */
export function checkRemoteState(
  scope: ProjectScope,
  file: ConfigFile,
  allowed: readonly AllowedRemoteState[],
): Problem[] {
  const problems: Problem[] = [];
  for (const body of [file.body, ...blocksOf(file.body, 'check', 1).map((b) => b.body)]) {
    for (const block of blocksOf(body, 'data', 2)) {
      if (block.labels[0] !== 'terraform_remote_state') continue;
      const config = block.body.all('config')[0];
      const backend = stringAttribute(block.body, 'backend');
      const keys = config instanceof TreeObject ? config.entries.map((e) => e.key) : [];
      const bucket = config instanceof TreeObject ? literal(config.all('bucket')[0]) : undefined;
      const key = config instanceof TreeObject ? literal(config.all('key')[0]) : undefined;
      const ok =
        backend === 's3' &&
        block.body.all('config').length === 1 &&
        keys.every((k) => k === 'bucket' || k === 'key' || k === 'region') &&
        bucket !== undefined &&
        key !== undefined &&
        !posix.normalize(key).startsWith('..') &&
        posix.normalize(key) === key &&
        allowed.some((a) => a.bucket === bucket && key.startsWith(a.keyPrefix));
      if (ok) continue;
      problems.push({
        message: `data "terraform_remote_state" "${block.labels[1] ?? ''}" reads another state (backend ${backend ?? '?'}${bucket ? `, ${bucket}/${key ?? '?'}` : ''}), which FEATURES_TERRAFORM_REMOTE_STATE does not allow.`,
        location: where(scope, file, blockLine(file, 'data', block.labels, block.line)),
        hint: 'Use a Connection Interface to share values between applications, or list {"bucket", "keyPrefix"} in FEATURES_TERRAFORM_REMOTE_STATE (backend "s3" with a literal bucket, key and region only).',
      });
    }
  }
  return problems;
}
