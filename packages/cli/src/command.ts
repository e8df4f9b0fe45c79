/**
 * What a command of `deploy-engine` is: its help, the options it takes, a parser and a handler.
 * Each command group lives in its own module and is listed once in commands.ts, so a new command
 * is a new file and one line there.
 */
import type { Args } from './options';

/**
 * Exit codes (also in `deploy-engine --help` and the README). A script can tell "try again later"
 * (1) from "fix the command" (2) from "nothing there" (3) from "fix the input" (4).
 */
export const EXIT = {
  /** Done; `status`: the run succeeded, was skipped or is still running. */
  OK: 0,
  /** Something outside failed (S3, credentials, the network), or a bug. */
  FAILED: 1,
  /** The command line is wrong: unknown command or option, a missing argument. */
  USAGE: 2,
  /** What was asked for does not exist: a run, a value, a binding. */
  NOT_FOUND: 3,
  /** Refused: the input is wrong (a file, a value) or the action needs a confirmation (--yes). */
  REFUSED: 4,
  /** `status`: the run ended without succeeding (USER_ERROR, RUNTIME_ERROR, ABORTED). */
  RUN_NOT_SUCCEEDED: 5,
} as const;

/** The exit codes as the help prints them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done (status: the run succeeded, was skipped, or is still running)
  1  something outside failed (S3, credentials, network), or a bug: retrying may help
  2  the command line is wrong (unknown command or option, missing argument)
  3  not found (the run, the value, the binding)
  4  refused: the input is wrong, or the action needs --yes
  5  status: the run ended without succeeding (USER_ERROR, RUNTIME_ERROR, ABORTED)`;

/** Where a command writes: results to stdout, messages about failures to stderr. */
export interface CliIo {
  /** One line (or block) of the command's result, on stdout. */
  out(text: string): void;
  /** One line (or block) for the person, on stderr: errors, warnings, "not found". */
  err(text: string): void;
  /** The terminal stdout is on, for `status --watch` (redraws in place only on a TTY). */
  terminal: Terminal;
  /** The whole of stdin (values set without a value on the command line). */
  readStdin(): Promise<string>;
  /** Waits between two polls (tests pass a fast one). */
  sleep(ms: number): Promise<void>;
}

/** stdout as `status --watch` sees it. */
export interface Terminal {
  isTTY: boolean;
  /** Width in columns, to know how many rows a long line takes. */
  columns: number;
  /** Raw text, no newline added (cursor movement). */
  write(text: string): void;
}

/**
 * One command (or command group such as `values set|list|show|delete`).
 * `T` is the parsed command line the handler gets.
 */
export interface CommandSpec<T> {
  /** The first word: `deploy-engine <name> ...`. */
  name: string;
  /** The synopsis lines and one-line description for `deploy-engine --help`. */
  summary: string;
  /** The full text for `deploy-engine <name> --help` (synopsis, options, what it prints). */
  help: string;
  /** Every option it takes, and whether it takes a value; anything else is a usage error. */
  options: Readonly<Record<string, 'value' | 'boolean'>>;
  /** Reads the command line; throws UsageError when it is wrong. */
  parse(args: Args): T;
  /** Does it; returns the exit code (EXIT). */
  run(command: T, io: CliIo): Promise<number>;
}

/** A command with its parsed type hidden, for the command table. */
export interface CliCommand {
  name: string;
  summary: string;
  help: string;
  options: Readonly<Record<string, 'value' | 'boolean'>>;
  parse(args: Args): { value: unknown; run(io: CliIo): Promise<number> };
}

/** Erases a command's parsed type so that commands of different types share one table. */
export function defineCommand<T>(spec: CommandSpec<T>): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    help: spec.help,
    options: spec.options,
    parse(args) {
      const value = spec.parse(args);
      return { value, run: (io) => spec.run(value, io) };
    },
  };
}
