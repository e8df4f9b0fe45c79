/** Arguments as nunjucks passes them to filters, and the bounds every filter's sizes obey. */
import { SandboxError } from '../sandbox-error';

/** The widest column `wordwrap`, `center` and `format` may pad or wrap to. */
export const MAX_WIDTH = 10_000;

export interface Keywords {
  __keywords?: true;
  [name: string]: unknown;
}
export interface FilterContext {
  env: {
    getFilter(name: string): (...args: unknown[]) => unknown;
    getTest(name: string): (...args: unknown[]) => unknown;
  };
}

/** Splits nunjucks' trailing keyword-argument object from the positional arguments. */
export function split(args: unknown[]): { positional: unknown[]; keywords: Keywords } {
  const last = args[args.length - 1] as Keywords | undefined;
  if (last && typeof last === 'object' && last.__keywords === true) {
    return { positional: args.slice(0, -1), keywords: last };
  }
  return { positional: args, keywords: {} };
}

export function width(value: unknown, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WIDTH) {
    throw new SandboxError(
      `a width must be a whole number from 0 to ${MAX_WIDTH} (got ${String(value)})`,
    );
  }
  return n;
}

export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (typeof value === 'object') return Object.keys(value);
  throw new SandboxError(`a ${typeof value} cannot be iterated`);
}
