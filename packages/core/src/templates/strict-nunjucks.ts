/**
 * Jinja's StrictUndefined and a sandbox for nunjucks.
 *
 * nunjucks passes its `throwOnUndefined` option to the compiler; for environments created with it,
 * this module changes what lookups compile to:
 * - a name or attribute that does not exist is an error that names it (Jinja's StrictUndefined),
 *   except inside the tests `is defined` / `is undefined` and the filters `default` / `d`, where a
 *   missing value is simply undefined;
 * - attribute lookups see only an object's own properties, so a template cannot reach
 *   `constructor`, prototypes or `Function` (the classic nunjucks sandbox escape).
 * Environments without `throwOnUndefined` keep nunjucks' own behaviour.
 *
 * It patches nunjucks' compiler (here) and runtime (strict-runtime.ts) objects once, because
 * nunjucks offers no way to plug in a compiler; the lockfile pins nunjucks and the tests in this
 * folder cover every patched path.
 */
import * as nunjucks from 'nunjucks';
import { SandboxError, UndefinedValueError } from './sandbox-error';
import { installLexerPatch } from './lexer-patch';
import {
  boundedSizes,
  JINJA_FILTERS,
  JINJA_OVERRIDES,
  JINJA_TESTS,
} from './filters/jinja-builtins';
import { STACKSPOT_FILTERS } from './filters/stackspot';
import { wrapTests } from './marked-runtime';
import { installStrictRuntime, type Frame } from './strict-runtime';
// nunjucks' internals, which its type definitions do not describe.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const compilerModule = require('nunjucks/src/compiler') as {
  Compiler: { prototype: CompilerProto };
};

interface AstNode {
  typename: string;
  lineno?: number;
  colno?: number;
  value?: unknown;
  target?: AstNode;
  val?: AstNode;
  left?: AstNode;
  right?: AstNode & { name?: AstNode; args?: AstNode };
  name?: AstNode;
  args?: AstNode & { children: AstNode[] };
  children?: AstNode[];
  expr?: AstNode;
  ops?: (AstNode & { type: string })[];
}

type CompileFn = (this: CompilerProto, node: AstNode, frame: Frame) => void;
/** The arithmetic operators whose operands must be defined. */
type Arithmetic =
  'compileSub' | 'compileMul' | 'compileDiv' | 'compileMod' | 'compileFloorDiv' | 'compilePow';

interface CompilerProto {
  throwOnUndefined?: boolean;
  softDepth?: number;
  _emit(code: string): void;
  _compileExpression(node: AstNode, frame: Frame): void;
  compile(node: AstNode, frame: Frame): void;
  assertType(node: AstNode, type: unknown): void;
  // Properties, not methods: they are saved and replaced below, then called with .call(this).
  compileSymbol: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileLookupVal: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileIs: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileFilter: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileConcat: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileAdd: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileCompare: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileOutput: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileFor: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileIn: (this: CompilerProto, node: AstNode, frame: Frame) => void;
  compileSub: CompileFn;
  compileMul: CompileFn;
  compileDiv: CompileFn;
  compileMod: CompileFn;
  compileFloorDiv: CompileFn;
  compilePow: CompileFn;
  compileNeg: CompileFn;
  compilePos: CompileFn;
  _emitLine(code: string): void;
}

export { SandboxError, UndefinedValueError };

/** The most numbers range() gives, as in Jinja's sandbox. */
const MAX_RANGE = 100000;

const SOFT_TESTS = new Set(['defined', 'undefined']);
const SOFT_FILTERS = new Set(['default', 'd']);

/** The dotted text of a lookup chain with constant keys (`connections.topic.arn`), for messages. */
function pathOf(node: AstNode | undefined): string {
  if (!node) return '?';
  if (node.typename === 'Symbol') return String(node.value);
  if (node.typename === 'LookupVal') {
    const key = node.val;
    const base = pathOf(node.target);
    if (key?.typename === 'Literal') {
      return typeof key.value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key.value)
        ? `${base}.${key.value}`
        : `${base}[${JSON.stringify(key.value)}]`;
    }
    return `${base}[…]`;
  }
  return '…';
}

/** The node's 0-based line and column as code arguments. */
function position(node: AstNode): string {
  return `${node.lineno ?? 'undefined'}, ${node.colno ?? 'undefined'}`;
}

function installCompiler(): void {
  const proto = compilerModule.Compiler.prototype;
  if ((proto as unknown as { strictInstalled?: boolean }).strictInstalled) return;
  (proto as unknown as { strictInstalled: boolean }).strictInstalled = true;
  const original = {
    compileSymbol: proto.compileSymbol,
    compileLookupVal: proto.compileLookupVal,
    compileIs: proto.compileIs,
    compileFilter: proto.compileFilter,
    compileConcat: proto.compileConcat,
    compileAdd: proto.compileAdd,
    compileCompare: proto.compileCompare,
    compileOutput: proto.compileOutput,
    compileFor: proto.compileFor,
    compileIn: proto.compileIn,
  };
  const soft = (compiler: CompilerProto): boolean => (compiler.softDepth ?? 0) > 0;
  const softly = (compiler: CompilerProto, fn: () => void): void => {
    compiler.softDepth = (compiler.softDepth ?? 0) + 1;
    try {
      fn();
    } finally {
      compiler.softDepth = (compiler.softDepth ?? 1) - 1;
    }
  };

  proto.compileSymbol = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileSymbol.call(this, node, frame);
    const name = String(node.value);
    const local = frame.lookup(name);
    if (local) this._emit(local);
    else if (soft(this))
      this._emit(`runtime.contextOrFrameLookup(context, frame, ${JSON.stringify(name)})`);
    else
      this._emit(
        `runtime.strictLookup(context, frame, ${JSON.stringify(name)}, ${position(node)})`,
      );
  };

  proto.compileLookupVal = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileLookupVal.call(this, node, frame);
    const isSoft = soft(this);
    this._emit(isSoft ? 'runtime.softMember((' : 'runtime.strictMember((');
    this._compileExpression(node.target as AstNode, frame);
    this._emit('),');
    // The key is evaluated strictly even in soft mode: `a[b]` with b undefined is a mistake.
    const depth = this.softDepth;
    this.softDepth = 0;
    this._compileExpression(node.val as AstNode, frame);
    this.softDepth = depth;
    this._emit(isSoft ? ')' : `,${JSON.stringify(pathOf(node))}, ${position(node)})`);
  };

  proto.compileIs = function (this: CompilerProto, node, frame) {
    const right = node.right;
    const test = String(right?.name ? right.name.value : right?.value);
    if (!this.throwOnUndefined) return original.compileIs.call(this, node, frame);
    if (!SOFT_TESTS.has(test)) {
      this._emit(`(lineno = ${position(node).replace(', ', ', colno = ')}, `);
      original.compileIs.call(this, node, frame);
      return this._emit(')');
    }
    this._emit(`env.getTest(${JSON.stringify(test)}).call(context, `);
    softly(this, () => this.compile(node.left as AstNode, frame));
    this._emit(')');
  };

  // Every filter goes through runtime.markedFilter (marked values); the first argument of
  // `default` is looked up softly. The position is kept for errors the filter raises.
  proto.compileFilter = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileFilter.call(this, node, frame);
    const name = String(node.name?.value);
    this._emit(`(lineno = ${position(node).replace(', ', ', colno = ')}, `);
    this._emit(`runtime.markedFilter(env, context, ${JSON.stringify(name)}, [`);
    const args = node.args?.children ?? [];
    args.forEach((arg, index) => {
      if (index > 0) this._emit(',');
      // compile, not _compileExpression: a {% filter %} block's argument is a Capture node.
      if (index === 0 && SOFT_FILTERS.has(name)) softly(this, () => this.compile(arg, frame));
      else this.compile(arg, frame);
    });
    this._emit(`], ${JSON.stringify(pathOf(args[0]))}))`);
  };

  // `~` and `+` keep marks and bound string growth; comparisons see real values.
  const binary = (fn: string) =>
    function (this: CompilerProto, node: AstNode, frame: Frame) {
      this._emit(`(lineno = ${position(node).replace(', ', ', colno = ')}, runtime.${fn}(`);
      this.compile(node.left as AstNode, frame);
      this._emit(', ');
      this.compile(node.right as AstNode, frame);
      this._emit('))');
    };
  const concat = binary('markedConcat');
  // An undefined operand of arithmetic is an error naming it (Jinja), not NaN.
  const operand = (compiler: CompilerProto, node: AstNode, frame: Frame): void => {
    compiler._emit('runtime.definedOperand(');
    compiler.compile(node, frame);
    compiler._emit(`, ${JSON.stringify(pathOf(node))}, ${position(node)})`);
  };
  const add = function (this: CompilerProto, node: AstNode, frame: Frame) {
    this._emit(`(lineno = ${position(node).replace(', ', ', colno = ')}, runtime.markedAdd(`);
    operand(this, node.left as AstNode, frame);
    this._emit(', ');
    operand(this, node.right as AstNode, frame);
    this._emit('))');
  };
  const arithmetic: [Arithmetic, string, string, string][] = [
    ['compileSub', '(', ' - ', ')'],
    ['compileMul', '(', ' * ', ')'],
    ['compileDiv', '(', ' / ', ')'],
    ['compileMod', '(', ' % ', ')'],
    ['compileFloorDiv', 'Math.floor(', ' / ', ')'],
    ['compilePow', 'Math.pow(', ', ', ')'],
  ];
  for (const [method, open, op, close] of arithmetic) {
    const before = proto[method];
    proto[method] = function (this: CompilerProto, node, frame) {
      if (!this.throwOnUndefined) return before.call(this, node, frame);
      this._emit(open);
      operand(this, node.left as AstNode, frame);
      this._emit(op);
      operand(this, node.right as AstNode, frame);
      this._emit(close);
    };
  }
  for (const [method, sign] of [
    ['compileNeg', '-'],
    ['compilePos', '+'],
  ] as const) {
    const before = proto[method];
    proto[method] = function (this: CompilerProto, node, frame) {
      if (!this.throwOnUndefined) return before.call(this, node, frame);
      this._emit(`${sign}(`);
      operand(this, node.target as AstNode, frame);
      this._emit(')');
    };
  }
  proto.compileConcat = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileConcat.call(this, node, frame);
    concat.call(this, node, frame);
  };
  proto.compileAdd = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileAdd.call(this, node, frame);
    add.call(this, node, frame);
  };
  proto.compileCompare = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileCompare.call(this, node, frame);
    this._emit(`(lineno = ${position(node).replace(', ', ', colno = ')}, `);
    this._emit('runtime.plainOperand(');
    this.compile(node.expr as AstNode, frame);
    this._emit(')');
    for (const op of node.ops ?? []) {
      this._emit(` ${COMPARE_OPS[op.type] ?? '=='} runtime.plainOperand(`);
      this.compile(op.expr as AstNode, frame);
      this._emit(')');
    }
    this._emit(')');
  };
  proto.compileIn = function (this: CompilerProto, node, frame) {
    if (!this.throwOnUndefined) return original.compileIn.call(this, node, frame);
    this._emit(`(lineno = ${position(node).replace(', ', ', colno = ')}, `);
    original.compileIn.call(this, node, frame);
    this._emit(')');
  };
  // Errors raised while printing or looping name the line of the `{{ }}` or `{% for %}`.
  for (const method of ['compileOutput', 'compileFor'] as const) {
    proto[method] = function (this: CompilerProto, node, frame) {
      if (this.throwOnUndefined)
        this._emitLine(`lineno = ${position(node).replace(', ', '; colno = ')};`);
      original[method].call(this, node, frame);
    };
  }
}

const COMPARE_OPS: Record<string, string> = {
  '==': '==',
  '===': '===',
  '!=': '!=',
  '!==': '!==',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
};

/**
 * A nunjucks environment with Jinja's strict undefined semantics and the sandbox: no loaders (no
 * `include`/`import`/`extends`, so no file access), no autoescaping (the output is Terraform), and
 * the Jinja filters and tests nunjucks lacks.
 */
export function createStrictEnvironment(): nunjucks.Environment {
  installLexerPatch();
  installStrictRuntime();
  installCompiler();
  const env = new nunjucks.Environment([], {
    autoescape: false,
    throwOnUndefined: true,
    // Keeps lineno, colno and the cause on errors; nunjucks strips them otherwise.
    dev: true,
  });
  // Both are handled in runtime.markedFilter (marked-runtime.ts); registered so they exist.
  env.addFilter('tojson', (value: unknown) => JSON.stringify(value));
  env.addFilter('raw', (value: unknown) => value);
  const filters = {
    ...JINJA_FILTERS,
    ...JINJA_OVERRIDES,
    ...STACKSPOT_FILTERS,
    ...boundedSizes(env),
  };
  for (const [name, filter] of Object.entries(filters)) {
    env.addFilter(name, filter as (...args: unknown[]) => unknown);
  }
  for (const [name, test] of Object.entries(JINJA_TESTS)) {
    (
      env as unknown as { addTest(n: string, fn: (v: unknown, o?: unknown) => boolean): void }
    ).addTest(name, test);
  }
  wrapTests(env as unknown as Parameters<typeof wrapTests>[0]);
  // Jinja's sandbox caps range(): a template cannot loop a billion times.
  env.addGlobal('range', (start: number, stop?: number, step = 1): number[] => {
    const [from, to] = stop === undefined ? [0, start] : [start, stop];
    if (step === 0) throw new SandboxError('range() step cannot be 0');
    const length = Math.max(0, Math.ceil((to - from) / step));
    if (!Number.isFinite(length) || length > MAX_RANGE) {
      throw new SandboxError(`range() is limited to ${MAX_RANGE} numbers (asked for ${length})`);
    }
    return Array.from({ length }, (_, i) => from + i * step);
  });
  // addTest exists in nunjucks 3 but not in its type definitions.
  (env as unknown as { addTest(name: string, fn: (v: unknown) => boolean): void }).addTest(
    'none',
    (value: unknown) => value === null,
  );
  return env;
}
