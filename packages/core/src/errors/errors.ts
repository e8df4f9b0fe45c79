/**
 * The two kinds of failure a user must be able to tell apart.
 *
 * - {@link ConfigurationError}: the user's input is wrong (a descriptor, a plugin, a template, an
 *   action input). It says what is wrong, where (file and line when there is one) and what to do.
 *   Runs that end with it are recorded as USER_ERROR.
 * - {@link ExternalError}: something outside failed (S3, Terraform, the network). It says what was
 *   being done and whether retrying can help. Runs that end with it are recorded as RUNTIME_ERROR.
 *
 * Anything else that escapes is a bug in this project and is reported as such.
 */

/** A place in a user's file, for messages and GitHub annotations. Lines and columns start at 1. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** One problem with the user's configuration. Several are reported together when possible. */
export interface Problem {
  message: string;
  location?: SourceLocation;
  /** What the user can do about it. */
  hint?: string;
}

/** Formats a location as `file:line:column` (the parts that are known). */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

/** Formats one problem as a single line: `file:line: message (hint)`. */
export function formatProblem(problem: Problem): string {
  const where = problem.location ? `${formatLocation(problem.location)}: ` : '';
  const hint = problem.hint ? ` ${problem.hint}` : '';
  return `${where}${problem.message}${hint}`;
}

/** The user's configuration is wrong; nothing outside is to blame and retrying will not help. */
export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
  readonly problems: readonly Problem[];
  /** The line the problems are listed under, when there is one. */
  readonly summary: string | undefined;

  constructor(problems: Problem | readonly Problem[], summary?: string) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    if (list.length === 0) throw new Error('ConfigurationError needs at least one problem');
    const first = list[0] as Problem;
    const message =
      list.length === 1 && summary === undefined
        ? formatProblem(first)
        : `${summary ?? `${list.length} problems found`}:\n${list.map((p) => `  - ${formatProblem(p)}`).join('\n')}`;
    super(message);
    this.problems = list;
    this.summary = summary;
  }
}

/** Something outside this project failed (S3, Terraform, the network, the runner). */
export class ExternalError extends Error {
  override readonly name: string = 'ExternalError';
  /** Whether running the same step again may succeed (a timeout, a throttled call). */
  readonly retryable: boolean;
  /**
   * Where the failure showed, when it names places (Terraform's errors on a template's lines),
   * under `summary`: the message says the same in one text.
   */
  readonly problems: readonly Problem[];
  readonly summary: string | undefined;

  constructor(
    message: string,
    options: {
      cause?: unknown;
      retryable?: boolean;
      problems?: readonly Problem[];
      summary?: string;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.problems = options.problems ?? [];
    this.summary = options.summary;
  }
}

/** The operation was cancelled through its AbortSignal (the job was cancelled, a timeout fired). */
export class CancelledError extends Error {
  override readonly name: string = 'CancelledError';

  constructor(message = 'The operation was cancelled') {
    super(message);
  }
}

/** How a run ends for a given error: the run statuses of the contract. */
export type ErrorKind = 'USER_ERROR' | 'RUNTIME_ERROR' | 'ABORTED';

/** Classifies an error into the run status it leads to. Unknown errors are runtime errors. */
export function classifyError(error: unknown): ErrorKind {
  if (error instanceof ConfigurationError) return 'USER_ERROR';
  if (error instanceof CancelledError) return 'ABORTED';
  return 'RUNTIME_ERROR';
}

/** How a task that failed ends: the task statuses of the contract that follow an error. */
export type FailedTaskStatus = 'FAILED' | 'INTERNAL_ERROR' | 'ABORTED';

/**
 * How an error ends the run and the task it came from, from one classification: a cancel aborts
 * both; the user's configuration or an outside failure is the task's FAILED; anything else is a
 * bug of the engine, the task's INTERNAL_ERROR (and the run's RUNTIME_ERROR), never the plugin's
 * fault.
 */
export function classifyFailure(error: unknown): { run: ErrorKind; task: FailedTaskStatus } {
  const run = classifyError(error);
  if (run === 'ABORTED') return { run, task: 'ABORTED' };
  if (run === 'USER_ERROR' || error instanceof ExternalError) return { run, task: 'FAILED' };
  return { run, task: 'INTERNAL_ERROR' };
}
