/**
 * Where a Terraform diagnostic on a rendered project is in files a user can open: a rendered file
 * maps to the plugin's template (`<plugin folder>/templates-deploy/<file>`, repository-relative)
 * and the rendered line to the template's line (see source-map/); a `repodir/` file to the
 * repository's own file. Never the runner's paths or the rendered copy.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { SourceLocation } from '../errors';
import { mapRenderedLines, type MappedLine } from '../source-map';
import type { DiagnosticLocator } from '../terraform';
import { REPODIR } from './repository-files';

const TEMPLATES = 'templates-deploy';

/** One plugin rendered into a project (classic: the whole project; unified: `<alias>/`). */
export interface RenderedPlugin {
  /** The folder inside the project its files were rendered into ('' for the whole project). */
  prefix: string;
  /** The plugin's folder, repository-relative ('' when it is the repository's root). */
  displayDir: string;
  /** The plugin's files (paths relative to its folder); undefined when they are not known. */
  sources: () => Promise<ReadonlyMap<string, Buffer> | undefined>;
}

/**
 * The plugin folder as a repository-relative path: a plugin at the checkout's root is named by an
 * absolute path upstream, which is the runner's and means nothing to a user.
 */
export function repositoryDisplayDir(displayDir: string, checkoutRoot?: string): string {
  if (!isAbsolute(displayDir) || checkoutRoot === undefined) return displayDir;
  const rel = relative(resolve(checkoutRoot), displayDir);
  if (rel === '') return '';
  return rel.startsWith('..') || isAbsolute(rel) ? displayDir : rel.split('\\').join('/');
}

/**
 * A DiagnosticLocator for the project in `projectDir` holding `plugins`; files of none of them
 * (the engine's own) are named `<engineLabel>/<file>`.
 */
export function templateLocator(
  projectDir: string,
  plugins: readonly RenderedPlugin[],
  engineLabel: string,
): DiagnosticLocator {
  const maps = new Map<string, Promise<MappedLine[] | undefined>>();
  return async (file, line) => {
    const path = file.split('\\').join('/').replace(/^\.\//, '');
    // Terraform's output can quote plugin text: a name leaving the project is never read.
    if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) {
      const label =
        plugins.length === 1 ? posix.join(plugins[0]?.displayDir ?? '', TEMPLATES) : engineLabel;
      return { location: { file: label }, near: true, note: `in ${path}` };
    }
    if (path.startsWith(`${REPODIR}/`)) {
      return { location: at(path.slice(REPODIR.length + 1), line), near: false };
    }
    const plugin = plugins.find((p) => p.prefix === '' || path.startsWith(`${p.prefix}/`));
    if (!plugin) return { location: at(`${engineLabel}/${path}`, line), near: false };
    const rendered = plugin.prefix === '' ? path : path.slice(plugin.prefix.length + 1);
    const templatesDir = posix.join(plugin.displayDir, TEMPLATES);
    if (rendered.startsWith('.terraform/')) {
      // A downloaded module: not a file of the repository.
      return {
        location: { file: templatesDir },
        near: true,
        note: `in a downloaded module, ${rendered}${line !== undefined ? ` line ${line}` : ''}`,
      };
    }
    const sources = await plugin.sources();
    const template = sources ? templateFor(rendered, sources) : undefined;
    if (!sources || template === undefined) {
      return {
        location: { file: posix.join(templatesDir, rendered) },
        near: true,
        ...(line !== undefined ? { note: `line ${line} of the rendered file` } : {}),
      };
    }
    const source = posix.join(plugin.displayDir, template);
    if (line === undefined) return { location: { file: source }, near: false };
    let lines = maps.get(path);
    if (!lines) {
      lines = readFile(join(projectDir, ...path.split('/')), 'utf8').then(
        (text) => mapRenderedLines((sources.get(template) as Buffer).toString('utf8'), text),
        () => undefined,
      );
      maps.set(path, lines);
    }
    const mapped = (await lines)?.[line - 1];
    return mapped
      ? { location: { file: source, line: mapped.line }, near: !mapped.exact }
      : { location: { file: source, line }, near: true };
  };
}

function at(file: string, line: number | undefined): SourceLocation {
  return line !== undefined ? { file, line } : { file };
}

/**
 * The template (plugin-relative) a rendered file came from: the same path under templates-deploy,
 * or the one file whose templated name (`{{ }}` parts) fits it.
 */
function templateFor(rendered: string, sources: ReadonlyMap<string, Buffer>): string | undefined {
  const same = `${TEMPLATES}/${rendered}`;
  if (sources.has(same)) return same;
  const parts = rendered.split('/');
  const fits = [...sources.keys()].filter((key) => {
    if (!key.startsWith(`${TEMPLATES}/`) || !key.includes('{')) return false;
    const segments = key.slice(TEMPLATES.length + 1).split('/');
    return (
      segments.length === parts.length &&
      segments.every((segment, i) => globOf(segment).test(parts[i] as string))
    );
  });
  return fits.length === 1 ? fits[0] : undefined;
}

function globOf(segment: string): RegExp {
  const source = segment
    .split(/\{[{%#][^]*?[}%#]\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
