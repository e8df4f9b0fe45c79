/**
 * deploy-engine: the command line for people and workflow steps. Shipped as one bundle,
 * dist/cli/index.js (`node dist/cli/index.js <command>`, or `deploy-engine <command>` after
 * `npm install -g <this repository>`); from a development clone: `npm run -s cli -- <command>`.
 */
import { CLI_NAME, ConfigurationError } from '@deploy-engine/core';
import { CommandUsageError, overview, parseInvocation } from './args';
import { EXIT, EXIT_CODES_HELP, type CliIo } from './command';
import { UsageError } from './usage-error';
import { plain } from './terminal-text';
import { VERSION } from './version';

/** stdin, stdout and stderr of this process. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    terminal: {
      isTTY: process.stdout.isTTY === true,
      columns: process.stdout.columns ?? 80,
      write: (text) => process.stdout.write(text),
    },
    readStdin: async () => {
      if (process.stdin.isTTY) process.stderr.write('Value (end with Ctrl-D): ');
      let text = '';
      for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
      return text;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/**
 * Runs one command line; returns the exit code (EXIT). Never throws: a wrong command line is one
 * line and a hint to --help (2), a wrong input its problems (4), anything else its message (1).
 */
export async function main(argv: readonly string[], given: CliIo = processIo()): Promise<number> {
  // Text goes out without control characters (terminal-text.ts plain); --json escapes them itself.
  const io: CliIo = {
    ...given,
    out: (text) => given.out(plain(text)),
    err: (text) => given.err(plain(text)),
  };
  let name: string | undefined;
  try {
    const invocation = parseInvocation(argv);
    switch (invocation.kind) {
      case 'version':
        io.out(`${CLI_NAME} ${VERSION}`);
        return EXIT.OK;
      case 'help':
        io.out(
          invocation.command ? `${invocation.command.help}\n\n${EXIT_CODES_HELP}` : overview(),
        );
        return EXIT.OK;
      case 'run':
        name = invocation.command.name;
        return await invocation.run(io);
    }
  } catch (error) {
    if (error instanceof CommandUsageError) {
      // Messages that start with the command's name read on from the program's name.
      const { message } = error;
      const own =
        message.startsWith(`${error.command.name} `) ||
        message.startsWith(`${error.command.name}:`);
      io.err(own ? `${CLI_NAME} ${message}` : `${CLI_NAME} ${error.command.name}: ${message}`);
      io.err(`Run '${CLI_NAME} ${error.command.name} --help' for its arguments and options.`);
      return EXIT.USAGE;
    }
    if (error instanceof UsageError) {
      io.err(`${CLI_NAME}: ${error.message}`);
      io.err(`Run '${CLI_NAME} --help' for the list of commands.`);
      return EXIT.USAGE;
    }
    const prefix = name ? `${CLI_NAME} ${name}` : CLI_NAME;
    io.err(`${prefix}: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof ConfigurationError ? EXIT.REFUSED : EXIT.FAILED;
  }
}
