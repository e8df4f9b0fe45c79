/**
 * The log level inputs StackSpot's actions took (orchestrate-and-plan's VERBOSE and LEVEL_LOG,
 * runtime-tasks' FEATURES_LEVEL_LOG). `debug` prints the engine's debug lines (each Terraform
 * command with the names of its environment variables, exit codes and timings) as ordinary log
 * lines, masked like every other line; without it they appear only when the job is re-run with
 * debug logging. `info` is the default. `warn` and `error` are accepted and log as `info`, with a
 * warning: hiding Terraform's output and the engine's progress would leave failures unexplained.
 * Terraform's own TF_LOG never follows: it prints request and response bodies (sensitive values
 * that no mask knows); TF_LOG_PROVIDER is the explicit opt-in for that.
 */
import { LOG_LEVELS, type LogLevel } from './common-inputs';
import type { InputParser } from './input-parser';

/** Reads the level inputs: debug when `verbose` (a boolean input) is true or `level` says so. */
export function readLogLevel(p: InputParser, names: { level: string; verbose?: string }): LogLevel {
  const verbose = names.verbose ? p.boolean(names.verbose, false) : false;
  const level = p.oneOf(names.level, LOG_LEVELS, 'info');
  if (level === 'warn' || level === 'error')
    p.warn(
      `${names.level} ${level} is accepted (StackSpot compatibility) and logs as info: Terraform's output and the engine's progress stay in the log, so a failure can be explained. Use debug for more.`,
    );
  return verbose || level === 'debug' ? 'debug' : 'info';
}
