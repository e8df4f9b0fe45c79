/**
 * How a message names a CLI command: the shipped form a user can run (`deploy-engine` from
 * `npm install -g <repository>`, or `node <checkout>/dist/cli/index.js`), never a command that
 * needs a development clone of this repository.
 */

/** The command the CLI is installed as (package.json `bin`). */
export const CLI_NAME = 'deploy-engine';

/** `deploy-engine <args>`, for messages and outputs that tell a user what to run. */
export function cliCommand(...args: string[]): string {
  return [CLI_NAME, ...args].join(' ');
}
