/** A template tried something the sandbox forbids. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

/** A template used a name or attribute that does not exist. */
export class UndefinedValueError extends Error {
  override readonly name = 'UndefinedValueError';
  /** Where the lookup stands in the template, counted from 1. */
  line?: number;
  column?: number;
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`'${expression}' is undefined${detail}`);
  }

  at(lineno: number | undefined, colno: number | undefined): this {
    if (typeof lineno === 'number') this.line = lineno + 1;
    if (typeof colno === 'number') this.column = colno + 1;
    return this;
  }
}
