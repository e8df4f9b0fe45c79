/**
 * Reading one command's command line: positionals and --options, checked against the options the
 * command declares, with the readers the commands share (the IaC bucket, a workspace, a run id).
 */
import { ConfigurationError, parseRunRef, type AppKind, type RunRef } from '@deploy-engine/core';
import { UsageError } from './usage-error';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The command line of one command, after its name. */
export class Args {
  readonly positionals: string[] = [];
  private readonly flags = new Map<string, string | true>();

  /**
   * @param command the command's name, for messages (`values`, `status`)
   * @param argv what follows the command's name
   * @param options the options it takes: anything else is refused
   */
  constructor(
    readonly command: string,
    argv: readonly string[],
    options: Readonly<Record<string, 'value' | 'boolean'>>,
  ) {
    let onlyPositionals = false;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (onlyPositionals || !arg.startsWith('--') || arg === '--') {
        if (arg === '--' && !onlyPositionals) onlyPositionals = true;
        else this.positionals.push(arg);
        continue;
      }
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq > 0 ? eq : undefined);
      const kind = options[name];
      if (!kind) throw new UsageError(`${command} has no option --${name}.`);
      if (kind === 'boolean') {
        if (eq > 0) throw new UsageError(`--${name} takes no value.`);
        this.flags.set(name, true);
        continue;
      }
      const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
      if (eq < 0) {
        if (value === undefined || value.startsWith('--'))
          throw new UsageError(`${command} needs --${name} <value>.`);
        i++;
      }
      this.flags.set(name, value as string);
    }
  }

  /** A --option's value; `required` makes a missing one a usage error. */
  text(name: string, required: true): string;
  text(name: string, required?: false): string | undefined;
  text(name: string, required = false): string | undefined {
    const value = this.flags.get(name);
    if (value === true || (required && value === undefined))
      throw new UsageError(`${this.command} needs --${name} <value>.`);
    return value;
  }

  /** Whether a boolean --option was given. */
  flag(name: string): boolean {
    return this.flags.get(name) === true;
  }

  /** A positional argument; `what` names it in the error when it is missing. */
  positional(index: number, what?: string): string {
    const value = this.positionals[index];
    if (value === undefined) {
      if (!what) throw new UsageError(`${this.command} takes more arguments.`);
      throw new UsageError(`${this.command} needs ${what}.`);
    }
    return value;
  }

  /** Refuses positionals past the ones a command takes (a typo, a value without its option). */
  noMorePositionals(count: number): void {
    const extra = this.positionals[count];
    if (extra !== undefined)
      throw new UsageError(`${this.command}: unexpected argument '${extra}'.`);
  }

  /** The IaC bucket's region: --region, else AWS_REGION, else us-east-1. */
  region(): string {
    return this.text('region') ?? process.env.AWS_REGION ?? 'us-east-1';
  }

  /** The IaC bucket and the workspace a workspace command works on. */
  workspaceScope(): { bucket: string; region: string; workspace: string } {
    return {
      bucket: this.text('bucket', true),
      region: this.region(),
      workspace: this.text('workspace', true),
    };
  }

  /**
   * A run: the RUN_ID output (`<ULID>@<iac-bucket>[:<region>]`), or the bare ULID the
   * StackSpot-style log line prints ("... successfully started with ID: <ULID>") with --bucket
   * (and --region when the bucket is not in AWS_REGION / us-east-1).
   */
  runRef(index: number): RunRef {
    const text = this.positional(
      index,
      'a RUN_ID (<ULID>@<iac-bucket>, or the bare ULID with --bucket)',
    );
    const bucket = this.text('bucket');
    if (ULID.test(text)) {
      if (!bucket)
        throw new UsageError(
          `${this.command}: run ${text} is a bare id: add --bucket <iac-bucket> (the workflow's IAC_BUCKET_NAME), and --region <IAC_BUCKET_REGION> when it is not ${process.env.AWS_REGION ?? 'us-east-1'}.`,
        );
      return parseOrUsage(`${text}@${bucket}:${this.region()}`, text);
    }
    const ref = parseOrUsage(text, text);
    if (bucket !== undefined && bucket !== ref.bucket)
      throw new UsageError(
        `${this.command}: --bucket ${bucket} contradicts the run id, whose bucket is ${ref.bucket}.`,
      );
    return ref;
  }
}

function parseOrUsage(text: string, given: string): RunRef {
  try {
    return parseRunRef(text);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new UsageError(
      `'${given}' is not a run id: expected <ULID>@<iac-bucket>[:<region>] (the run_id output) or the bare ULID of the log line with --bucket.`,
    );
  }
}

/** Who runs the command, for the records it writes: --by, else the environment's user. */
export function actor(by: string | undefined): string {
  return (
    by ??
    process.env.DEPLOY_ENGINE_ACTOR ??
    process.env.GITHUB_ACTOR ??
    process.env.USER ??
    'unknown'
  );
}

/** --app-kind: app (the default) or infra. */
export function appKindOf(kind = 'app'): AppKind {
  if (kind !== 'app' && kind !== 'infra') throw new UsageError('--app-kind must be app or infra.');
  return kind;
}

/** The options every command that reads the IaC bucket takes. */
export const BUCKET_OPTIONS = { bucket: 'value', region: 'value' } as const;
/** The options of a workspace command. */
export const WORKSPACE_OPTIONS = { ...BUCKET_OPTIONS, workspace: 'value' } as const;
