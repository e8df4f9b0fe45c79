/**
 * Reads action inputs into typed values and collects every problem before failing, so one run
 * reports all wrong inputs at once, each naming the input.
 *
 * Every input an action declares is read once up front (see each action's `inputs.ts`), so the
 * metadata test can check that the code reads exactly what action.yml declares.
 */
import { ConfigurationError, type Problem } from '@deploy-engine/core';

/** Returns an input's raw value; '' when it was not given. Matches `core.getInput` semantics. */
export type InputReader = (name: string) => string;

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

export class InputParser {
  private readonly problems: Problem[] = [];
  private readonly warnings: string[] = [];
  private readonly notes: string[] = [];

  /**
   * @param read reads one input's raw value
   * @param maskSecret called with each secret value before it is returned to any other code
   */
  constructor(
    private readonly read: InputReader,
    private readonly maskSecret: (value: string) => void = () => undefined,
  ) {}

  /** The raw trimmed value, or '' when absent. */
  optional(name: string): string {
    return this.read(name).trim();
  }

  /** A value that must not be empty. */
  required(name: string, hint = ''): string {
    const value = this.optional(name);
    if (value === '') this.fail(name, 'is required but was not given.', hint);
    return value;
  }

  /** A credential or token: masked before it is returned. */
  secret(name: string): string {
    const value = this.optional(name);
    if (value !== '') this.maskSecret(value);
    return value;
  }

  /** Masks a value found inside another input (a token inside a JSON list). */
  mask(value: string): void {
    if (value !== '') this.maskSecret(value);
  }

  /** A YAML 1.2 core-schema boolean, as `core.getBooleanInput` accepts; `fallback` when absent. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.optional(name);
    if (value === '') return fallback;
    if (TRUE_VALUES.includes(value)) return true;
    if (FALSE_VALUES.includes(value)) return false;
    this.fail(name, `must be true or false, got '${value}'.`);
    return fallback;
  }

  /** A whole number within bounds; `fallback` when absent. */
  integer(name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
    const value = this.optional(name);
    if (value === '') return fallback;
    const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
    const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      const range = bounds.max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
      this.fail(name, `must be a whole number ${range}, got '${value}'.`);
      return fallback;
    }
    return Number(value);
  }

  /** One of a fixed set of words (case-insensitive); returns the canonical spelling. */
  oneOf<T extends string, F extends string = T>(
    name: string,
    allowed: readonly T[],
    fallback: F,
  ): T | F {
    const value = this.optional(name);
    if (value === '') return fallback;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (match === undefined) {
      this.fail(name, `must be one of ${allowed.join(', ')}, got '${value}'.`);
      return fallback;
    }
    return match;
  }

  /**
   * A structured value: `parse` turns the raw text into T or throws an Error whose message says
   * what is wrong; the message is reported against the input's name. With `required` (a hint), an
   * absent value is a problem too.
   */
  structured<T>(
    name: string,
    fallback: T,
    parse: (raw: string) => T,
    options: { required?: string } = {},
  ): T {
    const value = this.optional(name);
    if (value === '') {
      if (options.required !== undefined)
        this.fail(name, 'is required but was not given.', options.required);
      return fallback;
    }
    try {
      return parse(value);
    } catch (error) {
      this.fail(name, error instanceof Error ? error.message : String(error));
      return fallback;
    }
  }

  /**
   * A required input whose value must match `pattern`, because it becomes part of S3 keys, state
   * paths or log lines; `rule` says what is allowed.
   */
  requiredName(name: string, pattern: RegExp, rule: string, hint = ''): string {
    return this.required(name, hint) === '' ? '' : this.optionalName(name, pattern, rule, hint);
  }

  /** Like requiredName, for an input that may be empty (then ''). */
  optionalName(name: string, pattern: RegExp, rule: string, hint = ''): string {
    const value = this.optional(name);
    if (value !== '' && !pattern.test(value)) {
      const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
      this.fail(name, `${shown} is not allowed: ${rule}`, hint);
    }
    return value;
  }

  /** Records a problem with an input. */
  fail(name: string, message: string, hint = ''): void {
    this.problems.push({ message: `Input ${name} ${message}`, hint: hint || undefined });
  }

  /** Records a warning to show once the inputs are valid. */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** Records a notice: how an input was read, worth saying once, not a problem. */
  notice(message: string): void {
    this.notes.push(message);
  }

  /** The notices recorded so far. */
  notices(): string[] {
    return [...this.notes];
  }

  /** Throws a ConfigurationError listing every problem; otherwise returns the warnings. */
  finish(action: string): string[] {
    if (this.problems.length > 0) {
      throw new ConfigurationError(
        this.problems,
        this.problems.length === 1
          ? undefined
          : `${action}: ${this.problems.length} inputs are wrong`,
      );
    }
    return [...this.warnings];
  }
}
