/**
 * HashiCorp's own HCL parser (the Go library Terraform uses, compiled to WebAssembly and published
 * as @cdktf/hcl2json), loaded on first use or when a job about to run tasks preloads it
 * (preloadHclParser): the module starts its WebAssembly when it is required (about 0.1 s with
 * Liftoff only, see hcl2json), which only jobs that run `terraform init` should pay for.
 *
 * - parseHcl: a native-syntax file in Terraform's JSON shape. Constant expressions come evaluated;
 *   every other expression comes back as its source text inside `${...}` (templates keep their
 *   literal parts unescaped and their interpolations as source).
 * - templateAst: the syntax tree of such a string, read as a heredoc template with a random end
 *   marker, which is how it is read faithfully (heredocs interpret no backslash escapes, `$${`
 *   and `%{` work as in quoted strings, and quotes need no escaping).
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';

/** A node of an HCL expression's syntax tree (see @cdktf/hcl2json's getExpressionAst). */
export interface HclAst {
  type: string;
  meta?: Record<string, unknown>;
  children: HclAst[];
}

interface Hcl2Json {
  parse(filename: string, text: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<HclAst | null>;
}

let loaded: Promise<Hcl2Json> | undefined;

function hcl2json(): Promise<Hcl2Json> {
  if (!loaded) {
    // V8 compiles WebAssembly twice by default: at once with its baseline compiler (Liftoff), then
    // again, optimised, in the background (TurboFan). The parser is a 6.5 MB Go program, and
    // optimising it costs more than everything the engine ever parses gains (measured on node 20:
    // first parse 0.35-0.55 s with both, 0.08-0.16 s with Liftoff only, the next twenty parses of
    // a 30-resource file 0.9-1.4 s against 0.16-0.33 s, and a core busy meanwhile). The flag is
    // read when a module is compiled; this is the process's only large WebAssembly.
    setFlagsFromString('--liftoff-only');
    // A dynamic import, so bundles load the WebAssembly only when a guard runs.
    loaded = import('@cdktf/hcl2json').then((m) => m as unknown as Hcl2Json);
  }
  return loaded;
}

/**
 * Starts loading the parser now, for a job about to run `terraform init` (its guard needs it): the
 * WebAssembly then starts while the job waits for S3 and the render worker, not when the first
 * guard needs it. A failure is not reported here; the first parse reports it.
 */
export function preloadHclParser(): void {
  hcl2json().catch(() => undefined);
}

/** Why HCL refused the text, without the bridge's prefix. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/^parse config: \[/, '')
    .replace(/\]$/, '')
    .replace(/^getExpressionAst errors on input string '[^]*?': /, '');
}

/**
 * Results by text: the guard reads the same files again right after `terraform init`, and every
 * call into the WebAssembly costs milliseconds. Only successes are kept (a failure's message names
 * its file); callers get their own copy.
 */
const parsed = new Map<string, Record<string, unknown>>();
const trees = new Map<string, HclAst>();
const MAX_CACHED = 5000;

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return structuredClone(value);
}

/** Parses a native-syntax file; throws an Error with HCL's diagnostic when it is not valid HCL. */
export async function parseHcl(filename: string, text: string): Promise<Record<string, unknown>> {
  const known = parsed.get(text);
  if (known) return structuredClone(known);
  const parser = await hcl2json();
  try {
    return remember(parsed, text, await parser.parse(filename, text));
  } catch (error) {
    throw new Error(reason(error));
  }
}

/** Whether a string from parseHcl or a JSON-syntax file is more than literal text. */
export function isTemplate(value: string): boolean {
  return value.includes('${') || value.includes('%{');
}

/**
 * The syntax tree of a template (`text` as parseHcl returns it, or a string of a JSON-syntax file,
 * or a template file's content). Throws when it is not a valid template. The heredoc adds a final
 * newline to the last literal part.
 */
export async function templateAst(filename: string, text: string): Promise<HclAst> {
  const known = trees.get(text);
  if (known) return structuredClone(known);
  const parser = await hcl2json();
  let marker = '';
  do marker = `EOT_${randomBytes(8).toString('hex')}`;
  while (text.includes(marker));
  try {
    const ast = await parser.getExpressionAst(filename, `<<${marker}\n${text}\n${marker}\n`);
    if (!ast) throw new Error('empty expression');
    return remember(trees, text, ast);
  } catch (error) {
    throw new Error(reason(error));
  }
}
