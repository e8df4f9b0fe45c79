/**
 * How undefined names render (Jinja's default `Undefined`, or `StrictUndefined` with
 * FEATURES_TEMPLATE_STRICT), and the undefined references a render met, reported as warnings.
 *
 * Computed inputs render deep inside manifest building; rather than thread the mode and a warning
 * list through every caller, a caller opens a session (AsyncLocalStorage) around the work and
 * every renderTemplateString inside it follows the session's mode and reports to it. An explicit
 * option on renderTemplateString wins over the session; without either, rendering is lenient.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SourceLocation } from '../errors';

/** `lenient`: Jinja's default (undefined prints as empty, with a warning); `strict`: an error. */
export type UndefinedMode = 'lenient' | 'strict';

/** One use of an undefined name or attribute in a template. */
export interface UndefinedReference {
  /** What was undefined, as written: `resource`, `inputs.stk_envv`, `connections.db.url`. */
  expression: string;
  /** The template file (repository-relative) and the line of the use. */
  location: SourceLocation;
  /** What is known about it (e.g. the attributes a Connection Interface Type defines). */
  hint?: string;
}

export interface TemplateSession {
  mode: UndefinedMode;
  /** Every undefined reference met in the session, once per file, line and expression. */
  readonly references: UndefinedReference[];
}

const storage = new AsyncLocalStorage<TemplateSession>();

/** Runs `fn` with every render inside it in `mode`, collecting undefined references. */
export async function withTemplateSession<T>(
  mode: UndefinedMode,
  fn: () => Promise<T>,
): Promise<{ result: T; references: UndefinedReference[] }> {
  const session: TemplateSession = { mode, references: [] };
  const result = await storage.run(session, fn);
  return { result, references: session.references };
}

/** The session the caller runs in, if any. */
export function currentTemplateSession(): TemplateSession | undefined {
  return storage.getStore();
}

/** Adds `found` to `into`, leaving out what is already there (same file, line and expression). */
export function mergeReferences(
  into: UndefinedReference[],
  found: readonly UndefinedReference[],
): UndefinedReference[] {
  const seen = new Set(into.map(referenceKey));
  for (const reference of found) {
    const key = referenceKey(reference);
    if (seen.has(key)) continue;
    seen.add(key);
    into.push(reference);
  }
  return into;
}

function referenceKey(reference: UndefinedReference): string {
  const { file, line } = reference.location;
  return `${file}\0${line ?? ''}\0${reference.expression}`;
}

/** The warning text for one undefined reference (the annotation sits at its file and line). */
export function describeUndefinedReference(reference: UndefinedReference): string {
  const known = reference.hint ? ` ${reference.hint}` : '';
  return `'${reference.expression}' is undefined: it renders as empty text, as in Jinja (StackSpot).${known} Define it as a plugin input, guard it with "is defined" or the default filter, or set FEATURES_TEMPLATE_STRICT: true to make this an error.`;
}
