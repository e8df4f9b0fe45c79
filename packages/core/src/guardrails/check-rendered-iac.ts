/**
 * The guardrails on rendered IaC, checked before `terraform init` (CONTRACT.md §7):
 * - with LOCAL_EXEC_ENABLED false, no `local-exec` provisioner;
 * - every `module` source is local to the project or under an allowed FEATURES_TERRAFORM_MODULES
 *   entry (git over HTTPS by host/org prefix, Terraform registry by namespace prefix).
 */
import { posix } from 'node:path';
import type { Problem } from '../errors';
import { readHclBlocks, walkBlocks } from './hcl-blocks';
import type { AllowedModuleSource } from './module-sources';

export interface GuardrailOptions {
  localExecEnabled: boolean;
  allowedModules: readonly AllowedModuleSource[];
}

/** Normalises a module source to `host/path` (git) or `namespace/name/provider` (registry). */
function normalise(source: string): string {
  return source
    .replace(/^git::/, '')
    .replace(/^(https?|ssh|git):\/\//, '')
    .replace(/^git@([^:]+):/, '$1/')
    .replace(/\?.*$/, '')
    .replace(/\/\/.*$/, '')
    .replace(/\.git$/, '')
    .replace(/^registry\.terraform\.io\//, '');
}

/**
 * Sources whose path a client could resolve elsewhere than it reads: dot segments (HTTP clients
 * collapse `acme/../other`), encoded dots or slashes, backslashes, control characters.
 */
function ambiguous(target: string): boolean {
  return (
    target.split('/').some((segment) => segment === '..' || segment === '.') ||
    /%2e|%2f|%5c|\\|\s/i.test(target) ||
    [...target].some((char) => char.charCodeAt(0) < 0x20)
  );
}

function allowed(source: string, entries: readonly AllowedModuleSource[]): boolean {
  const target = normalise(source);
  if (ambiguous(target)) return false;
  return entries.some((entry) => {
    const prefix = entry.path.replace(/\/+$/, '');
    return target === prefix || target.startsWith(`${prefix}/`);
  });
}

/**
 * Checks the rendered files (path -> text, `.tf` only). `displayDir` prefixes paths in messages.
 * Returns every problem found.
 */
export function checkRenderedIac(
  files: ReadonlyMap<string, string>,
  options: GuardrailOptions,
  displayDir: string,
): Problem[] {
  const problems: Problem[] = [];
  for (const [path, text] of files) {
    if (!path.endsWith('.tf')) continue;
    const file = `${displayDir}/${path}`;
    for (const { block, parents } of walkBlocks(readHclBlocks(text))) {
      if (
        !options.localExecEnabled &&
        block.type === 'provisioner' &&
        block.labels[0] === 'local-exec'
      ) {
        const owner = [...parents]
          .reverse()
          .find((p) => p.type === 'resource' || p.type === 'data');
        problems.push({
          message: `${owner ? `${owner.type} "${owner.labels.join('.')}"` : 'A block'} uses the local-exec provisioner, which LOCAL_EXEC_ENABLED=false forbids.`,
          location: { file, line: block.line },
          hint: 'Remove it, or set LOCAL_EXEC_ENABLED (orchestrate-and-plan) and LOCALEXEC_ENABLED (runtime-tasks) to true if you trust this plugin to run commands on the runner.',
        });
      }
      if (block.type === 'module' && parents.length === 0) {
        const source = block.attributes.source;
        if (source === undefined) continue;
        if (source.startsWith('./') || source.startsWith('../')) {
          const resolved = posix.normalize(posix.join(posix.dirname(path), source));
          if (resolved.startsWith('..')) {
            problems.push({
              message: `module "${block.labels[0] ?? ''}" has source ${source}, which leaves the rendered project.`,
              location: { file, line: block.line },
            });
          }
        } else if (!allowed(source, options.allowedModules)) {
          problems.push({
            message: `module "${block.labels[0] ?? ''}" has source ${source}, which no FEATURES_TERRAFORM_MODULES entry allows.`,
            location: { file, line: block.line },
            hint: 'Add its host/org (gitHttps) or namespace (terraformRegistry) to FEATURES_TERRAFORM_MODULES, or use a local module.',
          });
        }
      }
    }
  }
  return problems;
}
