/**
 * The two kinds of failure a user must be able to tell apart.
 *
 * - {@link ConfigurationError}: the user's input is wrong (a descriptor, a plugin, a template, an
 *   action input). It says what is wrong, where (file and line when there is one) and what to do.
 *   Runs that end with it are recorded as USER_ERROR.
 * - {@link ExternalError}: something outside failed (S3, Terraform, the network). It says what was
 *   being done and whether retrying can help. Runs that end with it are recorded as RUNTIME_ERROR.
 *   {@link StoredObjectError} is the one for an object of a bucket that is missing or corrupt.
 *
 * Anything else that escapes is a bug in this project and is reported as such (a task it ends is
 * INTERNAL_ERROR, see {@link classifyFailure}).
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

/** An object of a bucket, for messages: `s3://bucket/key`. */
export interface StoredObjectRef {
  bucket: string;
  key: string;
}

/** `s3://bucket/key`. */
export function formatStoredObject(object: StoredObjectRef): string {
  return `s3://${object.bucket}/${object.key}`;
}

/** What to do about a stored object that is gone or damaged, for {@link StoredObjectError}'s hint. */
export const STORED_OBJECT_HINTS = {
  /** An object a run stored while it was planned (manifest, plugin snapshot, rendered IaC, plan). */
  newRun: 'Start a new run (run the workflow again) and review its plan.',
  /** An object that outlives runs (history, shared values, Connection Interfaces, the registry). */
  restore:
    "Restore an earlier version of the object from the bucket's versioning, and check who can write to the bucket.",
  /** Any object, where the reader does not know which kind it is (the stores' getJson). */
  any: "Restore an earlier version of the object from the bucket's versioning; if it belongs to a run (runs/<id>/), start a new run instead (run the workflow again).",
} as const;

/**
 * An object that must be in a bucket is missing, or does not read back as what was written
 * (not JSON, not the recorded digest, not the shape it must have). An outside failure: the bucket
 * lost it or someone changed it, not this engine and not the user's configuration. The message
 * names the object and says what to do.
 */
export class StoredObjectError extends ExternalError {
  override readonly name: string = 'StoredObjectError';
  readonly bucket: string;
  readonly key: string;
  readonly problem: 'missing' | 'corrupt';

  /**
   * @param says what is wrong, continuing `s3://bucket/key ...` ("is not valid JSON: ...")
   * @param hint what to do, e.g. one of {@link STORED_OBJECT_HINTS}
   */
  constructor(
    object: StoredObjectRef & { problem: 'missing' | 'corrupt' },
    says: string,
    hint: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${formatStoredObject(object)} ${says} ${hint}`, options);
    this.bucket = object.bucket;
    this.key = object.key;
    this.problem = object.problem;
  }
}

/** Parses a stored object's text; not JSON is a StoredObjectError naming it. */
export function parseStoredJson<T>(object: StoredObjectRef, text: string, hint: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoredObjectError(
      { ...object, problem: 'corrupt' },
      'is not valid JSON: the object was changed outside this tool or is corrupt.',
      hint,
      { cause: error },
    );
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
