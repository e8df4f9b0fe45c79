/**
 * Terraform runs the `.tf` files at the top of a project only: a plugin whose templates render
 * their Terraform into a sub-folder alone deploys nothing, which is worth a word before it does.
 */
import { posix } from 'node:path';
import type { Logger } from '../logging';
import type { RenderedProject } from '../templates';

const TERRAFORM_FILE = /\.tf(\.json)?$/;

/**
 * A warning for a rendered plugin (`paths` relative to its project) with no `.tf` file at its top
 * level, naming the folders (under `templatesDir`) where its `.tf` files are; undefined when it has
 * one.
 */
export function missingRootTerraform(
  paths: readonly string[],
  templatesDir: string,
): string | undefined {
  const terraform = paths.filter((p) => TERRAFORM_FILE.test(p));
  if (terraform.some((p) => !p.includes('/'))) return undefined;
  if (terraform.length === 0)
    return `${templatesDir} renders no Terraform file (.tf or .tf.json), so this plugin deploys nothing.`;
  const folders = [...new Set(terraform.map((p) => posix.join(templatesDir, posix.dirname(p))))];
  const shown =
    folders.slice(0, 5).join(', ') + (folders.length > 5 ? ` and ${folders.length - 5} more` : '');
  return `${templatesDir} renders no Terraform file at its top level, so this plugin deploys nothing: Terraform reads only the top folder, and this plugin's .tf files are in ${shown}. Move them to ${templatesDir}/, or call their folder as a module ("./<folder>") from a .tf file there.`;
}

/** Warns (at the templates folder) when `project` renders no top-level Terraform file. */
export function warnMissingRootTerraform(
  project: RenderedProject,
  templatesDir: string,
  logger: Logger,
): void {
  const warning = missingRootTerraform(
    project.files.map((f) => f.path),
    templatesDir,
  );
  if (warning) logger.warning(warning, { file: templatesDir });
}
