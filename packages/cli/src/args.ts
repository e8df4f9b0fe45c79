/**
 * The command line of `deploy-engine`: which command, its parsed arguments, and the overview
 * `deploy-engine --help` prints (built from the command table in commands.ts).
 */
import { CLI_NAME } from '@deploy-engine/core';
import { EXIT_CODES_HELP, type CliCommand, type CliIo } from './command';
import { UsageError } from './usage-error';
import { COMMANDS } from './commands';
import { Args } from './options';

/** What the command line asks for. */
export type Invocation =
  | { kind: 'help'; command?: CliCommand }
  | { kind: 'version' }
  | { kind: 'run'; command: CliCommand; value: unknown; run(io: CliIo): Promise<number> };

const HELP = ['--help', '-h'];

/** The command named `name`, if there is one. */
export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * Reads a command line. Throws UsageError (exit code 2) when it is wrong; `command` on the error
 * names the command whose --help to point at.
 */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [name, ...rest] = argv;
  if (name === undefined || HELP.includes(name)) return { kind: 'help' };
  if (name === '--version' || name === '-V' || name === 'version') return { kind: 'version' };
  if (name === 'help') {
    if (rest[0] === undefined) return { kind: 'help' };
    const command = findCommand(rest[0]);
    if (!command) throw new UsageError(`unknown command '${rest[0]}'.`);
    return { kind: 'help', command };
  }
  const command = findCommand(name);
  if (!command)
    throw new UsageError(
      name.startsWith('-') ? `unknown option ${name}.` : `unknown command '${name}'.`,
    );
  if (rest.some((arg) => HELP.includes(arg))) return { kind: 'help', command };
  try {
    const parsed = command.parse(new Args(command.name, rest, command.options));
    return { kind: 'run', command, ...parsed };
  } catch (error) {
    if (error instanceof UsageError) throw new CommandUsageError(error.message, command);
    throw error;
  }
}

/** A usage error in one command's arguments: the hint points at that command's --help. */
export class CommandUsageError extends UsageError {
  constructor(
    message: string,
    readonly command: CliCommand,
  ) {
    super(message);
  }
}

/** The parsed arguments of a command line that runs a command (for tests and callers). */
export function parseArgs(argv: readonly string[]): unknown {
  const invocation = parseInvocation(argv);
  return invocation.kind === 'run' ? invocation.value : { name: 'help' };
}

/** `deploy-engine --help`: every command's synopsis, the environment, the exit codes. */
export function overview(): string {
  return `${CLI_NAME}: follow and repair deployment runs, manage a workspace's shared values and types

Usage: ${CLI_NAME} <command> [arguments] [--options]
       ${CLI_NAME} <command> --help      that command's arguments, options and output
       ${CLI_NAME} --version

Commands:
${COMMANDS.map((c) => `  ${c.summary}`).join('\n')}

Credentials and endpoint: the usual AWS_* variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...,
AWS_ENDPOINT_URL_S3); --region defaults to AWS_REGION, else us-east-1.
Read commands take --json: one JSON object on stdout, documented in each command's --help.

${EXIT_CODES_HELP}
`;
}
