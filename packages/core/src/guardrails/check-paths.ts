/**
 * Terraform's file functions read runner files at plan time, before anyone approves: their path
 * argument must be inside the project, statically. Allowed: string literals, `path.module`,
 * `path.root` (at the start), local values that are themselves such paths, and the variable of a
 * `for` over `fileset(...)` of such a path (its results stay under that folder). Anything else
 * (variables, other calls, abspath, pathexpand, path.cwd, absolute paths, `~`, `..` leaving the
 * project) is refused; on disk the path must resolve (realpath) inside the project or the linked
 * checkout, never into the engine's own `.terraform` or `.deploy-engine` folders. templatefile's
 * template is read and checked the same way; so are the file provisioner's `source` and the
 * path-taking attributes of allowed providers (PATH_ATTRIBUTES).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Problem } from '../errors';
import { blocksOf, objectsIn, stringsIn, type TreeValue } from './config-tree';
import { isTemplate, templateAst, type HclAst } from './hcl';
import { findLine } from './locate';
import {
  inside,
  withinScope,
  type ConfigFile,
  type ModuleDir,
  type ProjectScope,
} from './project-files';

/** Terraform's functions that read a file named by their first argument. */
export const FILE_FUNCTIONS = new Set([
  'file',
  'fileexists',
  'fileset',
  'filebase64',
  'filebase64sha256',
  'filebase64sha512',
  'filemd5',
  'filesha1',
  'filesha256',
  'filesha512',
  'templatefile',
]);

/** Resource attributes of allowed providers that name a runner file to upload. */
export const PATH_ATTRIBUTES: Record<string, string[]> = {
  aws_s3_object: ['source'],
  aws_s3_bucket_object: ['source'],
  aws_lambda_function: ['filename'],
  aws_lambda_layer_version: ['filename'],
};

const HINT =
  'Name files inside the plugin with string literals, path.module or path.root (e.g. "${path.module}/files/x.json"); variables, other functions, absolute paths, ~ and .. leaving the project are refused.';

/** Unforgeable stand-ins for path.module / path.root while a path is evaluated. */
const MODULE = `\0module-${randomBytes(8).toString('hex')}\0`;
const ROOT = `\0root-${randomBytes(8).toString('hex')}\0`;
/** A path fragment that stays under its folder: a `for` variable over fileset(). */
const FRAGMENT = 'fileset-entry';

interface Env {
  module: ModuleDir;
  locals: Map<string, TreeValue>;
  /** Names bound by enclosing `for` expressions: true when they are fileset() entries. */
  bound: Map<string, boolean>;
  depth: number;
}

interface Ctx {
  scope: ProjectScope;
  file: ConfigFile;
  problems: Problem[];
  /** Template files already read (templatefile), so a loop of them ends. */
  templates: Set<string>;
}

/** A string field of a node's meta ('' when absent or not a string). */
function meta(node: HclAst, field: string): string {
  const value = node.meta?.[field];
  return typeof value === 'string' ? value : '';
}

function name(node: HclAst): string {
  return meta(node, 'name').replace(/^core::/, '');
}

/** The string a node statically evaluates to; undefined when it is not static. */
async function evaluate(node: HclAst, env: Env, ctx: Ctx): Promise<string | undefined> {
  if (env.depth > 20) return undefined;
  if (node.type === 'literalValue')
    return node.meta?.type === 'string' ? meta(node, 'value') : undefined;
  if (node.type === 'template' || (node.type === '' && node.children.length === 1)) {
    let out = '';
    for (const child of node.children) {
      const part = await evaluate(child, env, ctx);
      if (part === undefined) return undefined;
      out += part;
    }
    return out;
  }
  if (node.type === 'scopeTraversal') {
    const accessor = meta(node, 'fullAccessor');
    if (accessor === 'path.module') return MODULE;
    if (accessor === 'path.root') return ROOT;
    if (env.bound.get(accessor) === true) return FRAGMENT;
    const local = /^local\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(accessor)?.[1];
    const value = local !== undefined ? env.locals.get(local) : undefined;
    if (typeof value !== 'string') return undefined;
    if (!isTemplate(value)) return value;
    const ast = await templateAst(ctx.file.rel, value);
    const text = await evaluate(ast, { ...env, depth: env.depth + 1, bound: new Map() }, ctx);
    return text?.replace(/\n$/, '');
  }
  return undefined;
}

/** Whether a collection is fileset() of an allowed folder (possibly sorted or converted). */
async function filesetCollection(node: HclAst, env: Env, ctx: Ctx): Promise<boolean> {
  if (env.depth > 20) return false;
  if (node.type === '' && node.children.length === 1)
    return filesetCollection(node.children[0] as HclAst, env, ctx);
  if (node.type === 'function') {
    const fn = name(node);
    if (fn === 'fileset') return (await pathProblem(node, env, ctx)) === undefined;
    if (
      ['sort', 'tolist', 'toset', 'distinct', 'reverse', 'compact'].includes(fn) &&
      node.children.length === 1
    )
      return filesetCollection(node.children[0] as HclAst, env, ctx);
    return false;
  }
  if (node.type === 'scopeTraversal') {
    const local = /^local\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(meta(node, 'fullAccessor'))?.[1];
    const value = local !== undefined ? env.locals.get(local) : undefined;
    if (typeof value !== 'string' || !isTemplate(value)) return false;
    const ast = await templateAst(ctx.file.rel, value);
    const inner =
      ast.children.length === 2 && ast.children[1]?.type === 'literalValue'
        ? ast.children[0]
        : undefined;
    return inner
      ? filesetCollection(inner, { ...env, depth: env.depth + 1, bound: new Map() }, ctx)
      : false;
  }
  return false;
}

/** Why a static path string is not allowed; undefined when it is. */
function pathReason(path: string, env: Env, ctx: Ctx): string | undefined {
  const markers = [MODULE, ROOT];
  let base = ctx.scope.root;
  let rest = path;
  for (const marker of markers) {
    if (rest.startsWith(marker)) {
      base = marker === MODULE ? env.module.dir : ctx.scope.root;
      rest = rest.slice(marker.length);
    }
  }
  if (markers.some((m) => rest.includes(m))) return 'uses path.module or path.root after the start';
  if (rest.includes('\0')) return 'contains a NUL character';
  if (base === ctx.scope.root && path === rest) {
    if (isAbsolute(rest)) return 'is absolute';
    if (rest.startsWith('~')) return "starts with ~ (the runner's home)";
  }
  const target = join(base, rest);
  if (!withinScope(ctx.scope, target)) return 'leaves the project';
  let existing = target;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = resolve(realpathSync(existing), relative(existing, target));
  if (!withinScope(ctx.scope, real)) return 'leads outside the project through a symbolic link';
  const own = ['.terraform', '.deploy-engine', '.terraform.lock.hcl'];
  if (
    own.some(
      (dir) =>
        inside(join(ctx.scope.root, dir), real) ||
        inside(join(realpathSync(ctx.scope.root), dir), real),
    )
  )
    return "is in the engine's own Terraform folders";
  return undefined;
}

/** Why a file function call's path is refused; undefined when it is allowed. */
async function pathProblem(call: HclAst, env: Env, ctx: Ctx): Promise<string | undefined> {
  const arg = call.children[0];
  if (!arg) return 'has no path';
  const path = await evaluate(arg, env, ctx);
  if (path === undefined)
    return 'has a path that is not a string literal, path.module or path.root';
  const why = pathReason(path, env, ctx);
  if (why) return why;
  if (name(call) === 'fileset') {
    const pattern = call.children[1] ? await evaluate(call.children[1], env, ctx) : undefined;
    if (pattern === undefined) return 'has a pattern that is not a string literal';
    if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..') || pattern.startsWith('~'))
      return 'has a pattern that leaves its folder';
  }
  return undefined;
}

function shown(call: HclAst): string {
  const text = meta(call, 'value') || `${name(call)}(…)`;
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

async function walkAst(node: HclAst, env: Env, ctx: Ctx, line: number | undefined): Promise<void> {
  if (node.type === 'for') {
    const [collection, ...rest] = node.children;
    if (collection) await walkAst(collection, env, ctx, line);
    const confined = collection ? await filesetCollection(collection, env, ctx) : false;
    const bound = new Map(env.bound);
    for (const v of [node.meta?.keyVar, node.meta?.valVar])
      if (typeof v === 'string' && v) bound.set(v, confined);
    for (const child of rest) await walkAst(child, { ...env, bound }, ctx, line);
    return;
  }
  if (node.type === 'function' && FILE_FUNCTIONS.has(name(node))) {
    const why = await pathProblem(node, env, ctx);
    const where = ctx.file.json
      ? line
      : (findLine(ctx.file.text, new RegExp(`\\b${name(node)}\\s*\\(`)) ?? line);
    if (why) {
      ctx.problems.push({
        message: `${shown(node)} ${why}: Terraform would read it on the runner before the plan is approved.`,
        location: {
          file: `${ctx.scope.label}/${ctx.file.rel}`,
          ...(where !== undefined ? { line: where } : {}),
        },
        hint: HINT,
      });
    } else if (name(node) === 'templatefile') {
      await checkTemplateFile(node, env, ctx);
    }
  }
  for (const child of node.children) await walkAst(child, env, ctx, line);
}

/** Reads templatefile's template and checks the file functions it calls. */
async function checkTemplateFile(call: HclAst, env: Env, ctx: Ctx): Promise<void> {
  const path = await evaluate(call.children[0] as HclAst, env, ctx);
  if (path === undefined) return;
  const base = path.startsWith(MODULE) ? env.module.dir : ctx.scope.root;
  const target = join(base, path.replace(MODULE, '').replace(ROOT, ''));
  if (!existsSync(target) || ctx.templates.has(target)) return;
  ctx.templates.add(target);
  const text = readFileSync(target, 'utf8');
  const rel = relative(ctx.scope.root, target).split(sep).join('/');
  const file: ConfigFile = { ...ctx.file, rel, text, json: false };
  try {
    const ast = await templateAst(rel, text);
    await walkAst(
      ast,
      { ...env, locals: new Map(), bound: new Map() },
      { ...ctx, file },
      undefined,
    );
  } catch (error) {
    ctx.problems.push({
      message: `${rel} (a templatefile template) cannot be read as a template: ${(error as Error).message}`,
      location: { file: `${ctx.scope.label}/${rel}` },
      hint: 'Fix the template: the guards refuse what they cannot read.',
    });
  }
}

/** A path-taking attribute's value, checked like a file function's path. */
async function checkPathValue(
  value: TreeValue,
  what: string,
  env: Env,
  ctx: Ctx,
  line?: number,
): Promise<void> {
  if (typeof value !== 'string') return;
  let path: string | undefined = value;
  if (isTemplate(value)) {
    path = await evaluate(await templateAst(ctx.file.rel, value), env, ctx);
    path = path?.replace(/\n$/, '');
  }
  const why =
    path === undefined
      ? 'is not a string literal, path.module or path.root'
      : pathReason(path, env, ctx);
  if (!why) return;
  ctx.problems.push({
    message: `${what} = ${JSON.stringify(value)} ${why}: the file would be read from the runner.`,
    location: {
      file: `${ctx.scope.label}/${ctx.file.rel}`,
      ...(line !== undefined ? { line } : {}),
    },
    hint: HINT,
  });
}

/** All file-reading problems of one module. */
export async function checkModulePaths(scope: ProjectScope, module: ModuleDir): Promise<Problem[]> {
  const locals = new Map<string, TreeValue>();
  for (const file of module.files)
    for (const block of blocksOf(file.body, 'locals', 0))
      for (const entry of block.body.entries) locals.set(entry.key, entry.value);
  const problems: Problem[] = [];
  const templates = new Set<string>();
  for (const file of module.files) {
    const ctx: Ctx = { scope, file, problems, templates };
    const env: Env = { module, locals, bound: new Map(), depth: 0 };
    for (const { text, line } of stringsIn(file.body)) {
      // A function call needs "(" in its source (interpolations come back as source): only such
      // templates need their syntax tree, which keeps a pass cheap.
      if (!isTemplate(text) || !text.includes('(')) continue;
      let ast: HclAst;
      try {
        ast = await templateAst(file.rel, text);
      } catch (error) {
        problems.push({
          message: `${file.rel} has an expression the guards cannot read: ${(error as Error).message}`,
          location: { file: `${scope.label}/${file.rel}`, ...(line !== undefined ? { line } : {}) },
          hint: 'Fix the expression: the guards refuse what they cannot read.',
        });
        continue;
      }
      await walkAst(ast, env, ctx, line);
    }
    for (const [type, attributes] of Object.entries(PATH_ATTRIBUTES)) {
      for (const block of blocksOf(file.body, 'resource', 2)) {
        if (block.labels[0] !== type) continue;
        for (const attribute of attributes)
          for (const value of block.body.all(attribute))
            await checkPathValue(
              value,
              `${type}.${block.labels[1] ?? ''}.${attribute}`,
              env,
              ctx,
              file.json
                ? block.body.lineOf(attribute)
                : findLine(file.text, new RegExp(`^\\s*"?${attribute}"?\\s*=`)),
            );
      }
    }
    for (const body of objectsIn(file.body))
      for (const block of blocksOf(body, 'provisioner', 1)) {
        if (block.labels[0] !== 'file') continue;
        for (const value of block.body.all('source'))
          await checkPathValue(
            value,
            'provisioner "file" source',
            env,
            ctx,
            file.json
              ? block.body.lineOf('source')
              : findLine(file.text, /\bprovisioner\s+"?file"?/),
          );
      }
  }
  return problems;
}
