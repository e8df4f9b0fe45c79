/** Reading what Terraform prints: change summaries and errors. */
import { ConfigurationError, ExternalError, type Problem } from '../errors';
import {
  describeDiagnostic,
  parseDiagnostics,
  plainTerraformText,
  type LocatedDiagnostic,
} from './diagnostics';
import { failureKind } from './failure-kind';

export interface ChangeSummary {
  added: number;
  changed: number;
  destroyed: number;
}

/** The counts of the last "Apply complete!", "Destroy complete!" or "Plan:" line; zeros for "No changes.". */
export function parseChangeSummary(output: string): ChangeSummary | undefined {
  const apply = [
    ...output.matchAll(/Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed/g),
  ].at(-1);
  if (apply)
    return { added: Number(apply[1]), changed: Number(apply[2]), destroyed: Number(apply[3]) };
  const destroy = [...output.matchAll(/Destroy complete! Resources: (\d+) destroyed/g)].at(-1);
  if (destroy) return { added: 0, changed: 0, destroyed: Number(destroy[1]) };
  const plan = [...output.matchAll(/Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/g)].at(
    -1,
  );
  if (plan) return { added: Number(plan[1]), changed: Number(plan[2]), destroyed: Number(plan[3]) };
  if (/No changes\./.test(output)) return { added: 0, changed: 0, destroyed: 0 };
  return undefined;
}

/** What Terraform prints of a lock it could not take (`Lock Info:`). */
export interface StateLockInfo {
  id: string;
  /** `<bucket>/<key>` of the state. */
  path: string;
  operation: string;
  who: string;
  created: string;
}

export function parseStateLockInfo(output: string): StateLockInfo | undefined {
  if (!/Error acquiring the state lock/.test(output)) return undefined;
  const field = (name: string): string =>
    new RegExp(`^[│\\s]*${name}:[ \\t]*(.*)$`, 'm').exec(output)?.[1]?.trim() ?? '';
  const id = field('ID');
  if (id === '') return undefined;
  return {
    id,
    path: field('Path'),
    operation: field('Operation'),
    who: field('Who'),
    created: field('Created'),
  };
}

/**
 * Terraform could not take the state lock: another Terraform holds it, or one was killed and left
 * it behind. `unlockCommand` (when the caller knows the run) releases exactly this lock.
 */
export class StateLockedError extends ExternalError {
  override readonly name = 'StateLockedError';
  constructor(
    readonly lock: StateLockInfo,
    command: string,
    unlockCommand?: string,
  ) {
    super(
      `terraform ${command} could not lock the state ${lock.path}: lock ${lock.id} is held (${lock.operation || 'operation unknown'} by ${lock.who || 'unknown'}, since ${lock.created || 'unknown'}). ` +
        'If another job is deploying this plugin now, wait for it to end and run again. ' +
        `If none is (a job was killed in the middle of Terraform), release this lock and only this one with: ${unlockCommand ? `${unlockCommand} --state ${lock.path} --lock-id ${lock.id}` : `terraform force-unlock ${lock.id}`}`,
      { retryable: false },
    );
  }
}

/**
 * Turns a failed Terraform command into the error kind the user must see (see failureKind), each
 * of Terraform's errors once, at the place `diagnostics` were located (see locateDiagnostics;
 * without them, read from `output` and named `<label>/<file>`). `unlockCommand` is the start of
 * the command that releases a lock left behind (`--state` and `--lock-id` are added).
 */
export function classifyTerraformFailure(
  command: string,
  output: string,
  label: string,
  unlockCommand?: string,
  diagnostics?: readonly LocatedDiagnostic[],
): Error {
  const lock = parseStateLockInfo(output);
  if (lock) return new StateLockedError(lock, command, unlockCommand);
  const located =
    diagnostics ??
    parseDiagnostics(output).map((d) => ({
      ...d,
      ...(d.file !== undefined
        ? {
            location: {
              file: `${label}/${d.file}`,
              ...(d.line !== undefined ? { line: d.line } : {}),
            },
          }
        : {}),
    }));
  const errors = located.filter((d) => d.severity === 'error');
  const problems: Problem[] = errors.map((d) => {
    const { hint } = failureKind(d);
    return {
      message: describeDiagnostic(d),
      ...(d.location ? { location: d.location } : {}),
      ...(hint ? { hint } : {}),
    };
  });
  const kinds =
    errors.length > 0 ? errors.map(failureKind) : [failureKind({ summary: output, detail: '' })];
  const outside = kinds.filter((k) => k.owner === 'outside');
  const text =
    problems.map((p) => p.message).join('; ') ||
    plainTerraformText(output).trim().split('\n').slice(-5).join(' ');
  if (outside.length > 0) {
    const retryable = outside.some((k) => k.owner === 'outside' && k.retryable);
    const hint = outside.find((k) => k.hint)?.hint;
    return new ExternalError(
      `terraform ${command} failed in ${label}: ${text}${hint ? ` ${hint}` : ''}`,
      {
        retryable,
        ...(problems.length > 0
          ? { problems, summary: `terraform ${command} failed in ${label}` }
          : {}),
      },
    );
  }
  return problems.length > 0
    ? new ConfigurationError(problems, `terraform ${command} failed in ${label}`)
    : new ConfigurationError({ message: `terraform ${command} failed in ${label}: ${text}` });
}
