/**
 * GitHub Actions expressions (`${{ ... }}` and `if:` conditions) as the runner evaluates them, for
 * the subset a workflow under test uses: literals, context property access (`a.b`, `a['b']`, the
 * `a.*.b` object filter), `!`, `==`, `!=`, `&&`, `||`, parentheses, and the functions `always()`,
 * `success()`, `failure()`, `cancelled()`, `contains()`. Anything else (another operator, function
 * or context) throws: the harness refuses what it does not understand rather than guessing.
 *
 * Semantics follow GitHub's documentation: `==` compares strings ignoring case and coerces
 * mismatched types to numbers; `&&` / `||` return an operand, not a boolean; falsy values are
 * false, 0, -0, '', null and NaN; a missing property is null; an `if:` without a status function
 * is `success() && (<if>)`.
 */

export type ExpressionValue = string | number | boolean | null | ExpressionValue[] | ContextObject;
export interface ContextObject {
  [key: string]: ExpressionValue;
}

/** The contexts an expression may read, and the job status functions. */
export interface ExpressionScope {
  contexts: Record<string, ContextObject>;
  /** What success() / failure() / cancelled() return here (job level: from the needs). */
  status: { success: boolean; failure: boolean; cancelled: boolean };
  /**
   * Contexts whose unknown properties are an error rather than null (the harness fills `github`
   * only with the keys it knows; a workflow reading another one would get a wrong guess).
   */
  strict?: Set<string>;
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`harness: unterminated string in '${source}'`);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i];
        i++;
      }
      tokens.push({ kind: 'string', value });
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0] });
      i += match[0].length;
    } else {
      const two = source.slice(i, i + 2);
      if (['==', '!=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if ('!().,[]*'.includes(c)) {
        tokens.push({ kind: 'op', value: c });
        i++;
      } else {
        throw new Error(`harness: unsupported character '${c}' in expression '${source}'`);
      }
    }
  }
  return tokens;
}

type Node =
  | { kind: 'literal'; value: ExpressionValue }
  | { kind: 'context'; name: string }
  | { kind: 'property'; target: Node; key: string }
  | { kind: 'filter'; target: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const FUNCTIONS: Record<string, number> = {
  always: 0,
  success: 0,
  failure: 0,
  cancelled: 0,
  contains: 2,
};

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.position < this.tokens.length)
      this.fail(`unexpected '${String(this.tokens[this.position]?.value)}'`);
    return node;
  }

  private fail(reason: string): never {
    throw new Error(`harness: cannot evaluate '${this.source}': ${reason}`);
  }

  private peek(value: string): boolean {
    const token = this.tokens[this.position];
    return token?.kind === 'op' && token.value === value;
  }

  private expect(value: string): void {
    if (!this.peek(value)) this.fail(`expected '${value}'`);
    this.position++;
  }

  private or(): Node {
    let left = this.and();
    while (this.peek('||')) {
      this.position++;
      left = { kind: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.equality();
    while (this.peek('&&')) {
      this.position++;
      left = { kind: 'binary', op: '&&', left, right: this.equality() };
    }
    return left;
  }

  private equality(): Node {
    let left = this.unary();
    while (this.peek('==') || this.peek('!=')) {
      const op = (this.tokens[this.position++] as Token).value as string;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek('!')) {
      this.position++;
      return { kind: 'not', operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private primary(): Node {
    const token = this.tokens[this.position++];
    if (!token) this.fail('unexpected end');
    if (token.kind === 'string' || token.kind === 'number')
      return { kind: 'literal', value: token.value };
    if (token.kind === 'op' && token.value === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.kind !== 'name') this.fail(`unexpected '${token.value}'`);
    const name = token.value;
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    if (this.peek('(')) {
      this.position++;
      const args: Node[] = [];
      while (!this.peek(')')) {
        args.push(this.or());
        if (!this.peek(')')) this.expect(',');
      }
      this.position++;
      if (FUNCTIONS[name] === undefined) this.fail(`unsupported function ${name}()`);
      if (FUNCTIONS[name] !== args.length)
        this.fail(`${name}() takes ${FUNCTIONS[name]} argument(s)`);
      return { kind: 'call', name, args };
    }
    return { kind: 'context', name };
  }

  private postfix(node: Node): Node {
    let current = node;
    for (;;) {
      if (this.peek('.')) {
        this.position++;
        const token = this.tokens[this.position++];
        if (token?.kind === 'op' && token.value === '*')
          current = { kind: 'filter', target: current };
        else if (token?.kind === 'name')
          current = { kind: 'property', target: current, key: token.value };
        else this.fail('expected a property name after .');
      } else if (this.peek('[')) {
        this.position++;
        const token = this.tokens[this.position++];
        if (token?.kind !== 'string') this.fail('only string literal indexes are supported');
        this.expect(']');
        current = { kind: 'property', target: current, key: token.value };
      } else {
        return current;
      }
    }
  }
}

function truthy(value: ExpressionValue): boolean {
  if (value === null || value === false || value === '' || value === 0) return false;
  if (typeof value === 'number' && Number.isNaN(value)) return false;
  return true;
}

function toNumber(value: ExpressionValue): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return NaN;
}

function equal(a: ExpressionValue, b: ExpressionValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (a === null || b === null) return a === b || toNumber(a) === toNumber(b);
  if (typeof a === 'object' || typeof b === 'object') return a === b; // objects: same instance only
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}

/** An expression value as `${{ }}` puts it into a string. */
export function stringify(value: ExpressionValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function readProperty(
  target: ExpressionValue,
  key: string,
  strictName: string | undefined,
): ExpressionValue {
  if (Array.isArray(target)) {
    return target.map((item) => readProperty(item, key, undefined));
  }
  if (target === null || typeof target !== 'object') return null;
  const found = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase());
  if (found === undefined) {
    if (strictName)
      throw new Error(`harness: ${strictName}.${key} is not modelled; refusing to guess its value`);
    return null;
  }
  return target[found] as ExpressionValue;
}

/** The context a property chain starts from (`github` for github.event.repository.name). */
function rootContext(node: Node): string | undefined {
  if (node.kind === 'context') return node.name;
  if (node.kind === 'property' || node.kind === 'filter') return rootContext(node.target);
  return undefined;
}

function describe(node: Node): string {
  if (node.kind === 'context') return node.name;
  if (node.kind === 'property') return `${describe(node.target)}.${node.key}`;
  if (node.kind === 'filter') return `${describe(node.target)}.*`;
  return '(expression)';
}

function evaluateNode(node: Node, scope: ExpressionScope): ExpressionValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'context': {
      const context = scope.contexts[node.name];
      if (context === undefined)
        throw new Error(`harness: context '${node.name}' is not available here`);
      return context;
    }
    case 'property': {
      const root = rootContext(node);
      const strictName = root && scope.strict?.has(root) ? describe(node.target) : undefined;
      return readProperty(evaluateNode(node.target, scope), node.key, strictName);
    }
    case 'filter': {
      const target = evaluateNode(node.target, scope);
      if (Array.isArray(target)) return target;
      if (target === null || typeof target !== 'object') return [];
      return Object.values(target);
    }
    case 'not':
      return !truthy(evaluateNode(node.operand, scope));
    case 'binary': {
      const left = evaluateNode(node.left, scope);
      if (node.op === '&&') return truthy(left) ? evaluateNode(node.right, scope) : left;
      if (node.op === '||') return truthy(left) ? left : evaluateNode(node.right, scope);
      const same = equal(left, evaluateNode(node.right, scope));
      return node.op === '==' ? same : !same;
    }
    case 'call':
      switch (node.name) {
        case 'always':
          return true;
        case 'success':
          return scope.status.success;
        case 'failure':
          return scope.status.failure;
        case 'cancelled':
          return scope.status.cancelled;
        default: {
          const [haystack, needle] = node.args.map((arg) => evaluateNode(arg, scope)) as [
            ExpressionValue,
            ExpressionValue,
          ];
          if (Array.isArray(haystack)) return haystack.some((item) => equal(item, needle));
          return stringify(haystack).toLowerCase().includes(stringify(needle).toLowerCase());
        }
      }
  }
}

function parse(source: string): Node {
  return new Parser(tokenize(source), source).parse();
}

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(source: string, scope: ExpressionScope): ExpressionValue {
  return evaluateNode(parse(source), scope);
}

/** Replaces every `${{ expr }}` in a string value (with:, outputs:, concurrency.group). */
export function interpolate(text: string, scope: ExpressionScope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_whole, inner: string) =>
    stringify(evaluate(inner, scope)),
  );
}

function usesStatusFunction(node: Node): boolean {
  switch (node.kind) {
    case 'call':
      return ['always', 'success', 'failure', 'cancelled'].includes(node.name)
        ? true
        : node.args.some(usesStatusFunction);
    case 'not':
      return usesStatusFunction(node.operand);
    case 'binary':
      return usesStatusFunction(node.left) || usesStatusFunction(node.right);
    case 'property':
    case 'filter':
      return usesStatusFunction(node.target);
    default:
      return false;
  }
}

/**
 * An `if:` condition (job or step): written bare or wrapped whole in `${{ }}`; without a status
 * function it only holds when the job has not failed or been cancelled (GitHub's implicit
 * `success() &&`). An absent condition is `success()`.
 */
export function evaluateCondition(condition: string | undefined, scope: ExpressionScope): boolean {
  const success = scope.status.success;
  if (condition === undefined || condition.trim() === '') return success;
  let source = condition.trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(source);
  if (wrapped) source = wrapped[1] as string;
  if (source.includes('${{'))
    throw new Error(`harness: an if: mixing text and \${{ }} is not supported: ${condition}`);
  const node = parse(source);
  const holds = truthy(evaluateNode(node, scope));
  return usesStatusFunction(node) ? holds : success && holds;
}
