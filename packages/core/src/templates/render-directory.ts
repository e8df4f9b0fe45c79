/**
 * Renders a plugin's `templates-deploy/` folder: the content of every text file and every file and
 * folder name are Jinja templates. Problems in all files are reported together.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, lstat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { ConfigurationError, type Problem } from '../errors';
import { renderTemplateString, type UndefinedHint } from './render-string';
import { renderState } from './marked-runtime';
import { secretTexts } from './context';
import { mergeReferences, type UndefinedMode, type UndefinedReference } from './template-session';

/** The most a rendered file and a rendered plugin may weigh (bytes). */
export const RENDER_LIMITS = { fileBytes: 10 * 1024 * 1024, pluginBytes: 50 * 1024 * 1024 };
const MIB = 1024 * 1024;

export interface RenderedFile {
  /** Path inside the rendered project, with `/` separators. */
  path: string;
  content: Buffer;
}

export interface RenderedProject {
  /** Sorted by path. */
  files: RenderedFile[];
  /** SHA-256 over every path and content: equal digests mean byte-identical projects. */
  digest: string;
  /** Undefined names the templates used (lenient mode), at each template's file and line. */
  warnings?: UndefinedReference[];
}

export interface RenderDirectoryOptions {
  /** The folder to render (a plugin's templates-deploy/). */
  templateDir: string;
  context: Record<string, unknown>;
  /** How messages name the folder, e.g. `plugins/sns/templates-deploy` (relative to the repository). */
  displayDir: string;
  undefinedHint?: UndefinedHint;
  /** Output limits in bytes; RENDER_LIMITS by default. */
  limits?: { fileBytes: number; pluginBytes: number };
  /** `strict`: an undefined name is an error (FEATURES_TEMPLATE_STRICT); default lenient. */
  undefinedMode?: UndefinedMode;
}

/**
 * Renders the folder in memory. A file or folder whose name renders to nothing is left out (so a
 * template can make a file optional); binary files (with a NUL byte, or not UTF-8) are copied as
 * they are. Symbolic links are refused: they could reach files outside the plugin.
 */
export async function renderDirectory(options: RenderDirectoryOptions): Promise<RenderedProject> {
  const problems: Problem[] = [];
  const warnings: UndefinedReference[] = [];
  const files = new Map<string, { content: Buffer; from: string }>();
  renderState.secretTexts = secretTexts(options.context);
  let total = 0;
  const limits = options.limits ?? RENDER_LIMITS;

  const walk = async (sourceRel: string, targetRel: string): Promise<void> => {
    const entries = await readdir(join(options.templateDir, sourceRel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const source = posix.join(sourceRel, entry.name);
      const display = posix.join(options.displayDir, source);
      const name = renderName(entry.name, options, display, problems, warnings);
      if (name === undefined) continue;
      const target = posix.join(targetRel, name);
      const stat = await lstat(join(options.templateDir, source));
      if (stat.isSymbolicLink()) {
        problems.push({
          message: 'Symbolic links are not allowed in templates-deploy.',
          location: { file: display },
          hint: 'Copy the file into the plugin instead.',
        });
      } else if (stat.isDirectory()) {
        await walk(source, target);
      } else if (stat.isFile()) {
        const raw = await readFile(join(options.templateDir, source));
        const content = renderContent(raw, options, display, problems, warnings);
        if (content === undefined) continue;
        total += content.length;
        if (total > limits.pluginBytes) {
          throw new ConfigurationError(
            {
              message: `The plugin renders to more than ${limits.pluginBytes / MIB} MiB (reached at this file).`,
              location: { file: display },
              hint: 'A template that repeats text in loops is the usual cause; generate repetition with Terraform (count, for_each) instead.',
            },
            `${options.displayDir} does not render`,
          );
        }
        const clash = files.get(target);
        if (clash) {
          problems.push({
            message: `Renders to ${target}, as ${clash.from} does.`,
            location: { file: display },
            hint: 'Make the rendered file names unique.',
          });
        } else {
          files.set(target, { content, from: display });
        }
      }
    }
  };

  await walk('', '');
  if (problems.length > 0) {
    throw new ConfigurationError(problems, `${options.displayDir} does not render`);
  }
  const sorted = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, { content }]) => ({ path, content }));
  return { files: sorted, digest: digestFiles(sorted), warnings };
}

/** Renders one file or folder name; undefined when it renders to nothing or fails. */
function renderName(
  name: string,
  options: RenderDirectoryOptions,
  display: string,
  problems: Problem[],
  warnings: UndefinedReference[],
): string | undefined {
  if (!name.includes('{')) return name;
  renderState.mode = 'name';
  let result;
  try {
    result = renderTemplateString(name, options.context, display, 0, undefined, modeOf(options));
  } finally {
    renderState.mode = 'text';
  }
  mergeReferences(warnings, result.warnings);
  if (!result.ok) {
    problems.push({ ...result.problem, message: `In the name: ${result.problem.message}` });
    return undefined;
  }
  const rendered = result.text.trim();
  if (rendered === '') return undefined;
  if (rendered.includes('/') || rendered.includes('\\') || rendered === '.' || rendered === '..') {
    problems.push({
      message: `The name renders to '${rendered}', which is not a single file or folder name.`,
      location: { file: display },
    });
    return undefined;
  }
  return rendered;
}

function renderContent(
  raw: Buffer,
  options: RenderDirectoryOptions,
  display: string,
  problems: Problem[],
  warnings: UndefinedReference[],
): Buffer | undefined {
  if (isBinary(raw)) return raw;
  const result = renderTemplateString(
    raw.toString('utf8'),
    options.context,
    display,
    0,
    options.undefinedHint,
    modeOf(options),
  );
  mergeReferences(warnings, result.warnings);
  if (!result.ok) {
    problems.push(result.problem);
    return undefined;
  }
  // A UTF-8 byte per UTF-16 unit at least: a text longer than the limit is refused before the
  // copy (flattening a huge string outside the heap could end the whole process).
  const limit = options.limits?.fileBytes ?? RENDER_LIMITS.fileBytes;
  const content = result.text.length > limit ? undefined : Buffer.from(result.text, 'utf8');
  if (content === undefined || content.length > limit) {
    const size = content?.length ?? result.text.length;
    problems.push({
      message: `Renders to ${(size / MIB).toFixed(1)} MiB or more; a rendered file may have at most ${limit / MIB} MiB.`,
      location: { file: display },
      hint: 'A template that repeats text in loops is the usual cause; generate repetition with Terraform (count, for_each) instead.',
    });
    return undefined;
  }
  return content;
}

function modeOf(options: RenderDirectoryOptions): { undefinedMode?: UndefinedMode } {
  return options.undefinedMode ? { undefinedMode: options.undefinedMode } : {};
}

function isBinary(raw: Buffer): boolean {
  if (raw.includes(0)) return true;
  return !Buffer.from(raw.toString('utf8'), 'utf8').equals(raw);
}

/** SHA-256 over `path NUL sha256(content) LF` of every file, in path order. */
export function digestFiles(files: readonly RenderedFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.path}\0${createHash('sha256').update(file.content).digest('hex')}\n`);
  }
  return hash.digest('hex');
}

/** Writes a rendered project into `outDir` (which should be empty or new). */
export async function writeRenderedProject(
  project: RenderedProject,
  outDir: string,
): Promise<void> {
  for (const file of project.files) {
    const target = join(outDir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}
