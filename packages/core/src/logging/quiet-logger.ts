import type { Logger } from './logger';

/**
 * A logger that keeps only errors (and secrets, groups): for a second pass over the same input,
 * whose notices would repeat the first one's.
 */
export function quietLogger(logger: Logger): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warning: () => undefined,
    error: (message, location) => logger.error(message, location),
    group: (title, fn) => logger.group(title, fn),
    addSecret: (value) => logger.addSecret(value),
  };
}
