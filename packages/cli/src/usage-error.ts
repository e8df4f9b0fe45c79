/** The command line was wrong: one line saying what, then a hint to `<command> --help`. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}
