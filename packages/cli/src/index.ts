#!/usr/bin/env node
/**
 * The `deploy-engine` executable: the entry point of dist/cli/index.js (package.json `bin`).
 * Kept apart from main.ts so that importing main() runs nothing.
 */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `deploy-engine: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
