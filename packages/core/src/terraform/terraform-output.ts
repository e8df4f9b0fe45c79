/** Reading what Terraform prints: change summaries and errors. */
import { ConfigurationError, ExternalError, type Problem } from '../errors';

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

/** Failures of the backend, the network or the state lock: not the plugin's fault. */
const OUTSIDE =
  /Error acquiring the state lock|error configuring S3 Backend|Failed to get existing workspaces|Failed to load state|Failed to save state|Failed to persist state|NoSuchBucket|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|send request failed|dial tcp|i\/o timeout|connection refused|no such host|context deadline exceeded|RequestError/i;
const RETRYABLE =
  /Error acquiring the state lock|timeout|deadline exceeded|connection refused|send request failed/i;

/** Terraform's error blocks: `Error: <summary>` and, when given, `on <file> line <n>`. */
export function parseErrorBlocks(output: string, dirLabel: string): Problem[] {
  const problems: Problem[] = [];
  const blocks = output.split(/\n(?=(?:│ )?Error: )/);
  for (const block of blocks) {
    const clean = block.replace(/^│ ?/gm, '').replace(/[╷╵]/g, '');
    const summary = /^\s*Error: (.+)$/m.exec(clean);
    if (!summary) continue;
    const where = /on (\S+) line (\d+)/.exec(clean);
    const detail = clean
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l && !/^on \S+ line \d+/.test(l) && !/^\d+:/.test(l))
      .join(' ');
    // The cause is often at the end (git's or the provider's own message): keep it, within reason.
    const shown = detail.length > 700 ? `${detail.slice(0, 700)}…` : detail;
    problems.push({
      message: `Terraform: ${summary[1]?.trim()}${shown ? ` (${shown})` : ''}`,
      ...(/could not read Username|Authentication failed for|returned error: 40[13]/.test(clean)
        ? {
            hint: 'The git server wants credentials: give this source a FEATURES_TERRAFORM_MODULES entry with "private": true and a "token" that can read it.',
          }
        : {}),
      ...(where ? { location: { file: `${dirLabel}/${where[1]}`, line: Number(where[2]) } } : {}),
    });
  }
  return problems;
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
 * Turns a failed Terraform command into the error kind the user must see. `unlockCommand` is the
 * start of the command that releases a lock left behind (`--state` and `--lock-id` are added).
 */
export function classifyTerraformFailure(
  command: string,
  output: string,
  dirLabel: string,
  unlockCommand?: string,
): Error {
  const lock = parseStateLockInfo(output);
  if (lock) return new StateLockedError(lock, command, unlockCommand);
  const problems = parseErrorBlocks(output, dirLabel);
  const text =
    problems.map((p) => p.message).join('; ') || output.trim().split('\n').slice(-5).join(' ');
  if (OUTSIDE.test(output)) {
    return new ExternalError(`terraform ${command} failed: ${text}`, {
      retryable: RETRYABLE.test(output),
    });
  }
  return new ConfigurationError(
    problems.length > 0 ? problems : [{ message: `terraform ${command} failed: ${text}` }],
    `terraform ${command} failed in ${dirLabel}`,
  );
}
