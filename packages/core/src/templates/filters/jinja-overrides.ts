/**
 * nunjucks' own filters that give other results than Jinja2 3.1's (checked in
 * jinja-differential.test.ts), replaced with Jinja's behaviour, and its filters whose size
 * argument must be bounded before they run.
 */
import { printedText } from '../marked-runtime';
import { list, split, width, type FilterContext } from './filter-args';
import { safePath } from './safe-member';

/** Python's round(): halves go to the even neighbour; `ceil` / `floor` as Jinja's methods. */
function round(value: unknown, precision: unknown = 0, method: unknown = 'common'): number {
  const n = Number(value);
  const p = width(precision, 0);
  const factor = 10 ** p;
  if (method === 'ceil') return Math.ceil(n * factor) / factor;
  if (method === 'floor') return Math.floor(n * factor) / factor;
  const scaled = Number((n * factor).toPrecision(15));
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded / factor;
}

function toFloat(value: unknown, fallback: unknown = 0): number {
  const n = typeof value === 'string' ? Number(value.trim()) : Number(value);
  return value === '' || value === null || Number.isNaN(n) ? Number(fallback) : n;
}

/** Jinja's groupby: groups sorted by key, each `(grouper, list)`, also as `.grouper` / `.list`. */
function groupby(value: unknown, ...rest: unknown[]): unknown[] {
  const { positional, keywords } = split(rest);
  const attribute = keywords.attribute ?? positional[0];
  const fallback = keywords.default ?? positional[1];
  const caseSensitive = Boolean(keywords.case_sensitive ?? positional[2] ?? false);
  const groups = new Map<string, { grouper: unknown; list: unknown[] }>();
  for (const item of list(value)) {
    let grouper = safePath(item, attribute);
    if (grouper === undefined) grouper = fallback;
    const k =
      JSON.stringify(
        !caseSensitive && typeof grouper === 'string' ? grouper.toLowerCase() : grouper,
      ) ?? '';
    const group = groups.get(k) ?? { grouper, list: [] };
    group.list.push(item);
    groups.set(k, group);
  }
  return [...groups.values()]
    .sort((a, b) => compare(a.grouper, b.grouper, caseSensitive))
    .map(({ grouper, list: items }) => Object.assign([grouper, items], { grouper, list: items }));
}

function compare(a: unknown, b: unknown, caseSensitive: boolean): number {
  const x = !caseSensitive && typeof a === 'string' ? a.toLowerCase() : a;
  const y = !caseSensitive && typeof b === 'string' ? b.toLowerCase() : b;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** select / reject / selectattr / rejectattr with Jinja's test arguments. */
function selector(keep: boolean, byAttribute: boolean) {
  return function (this: FilterContext, value: unknown, ...args: unknown[]): unknown[] {
    const [first, testName, ...testArgs] = byAttribute ? args : [undefined, ...args];
    const test = testName === undefined ? undefined : this.env.getTest(printedText(testName));
    return list(value).filter((item) => {
      const subject = byAttribute ? safePath(item, first) : item;
      const passed = test ? Boolean(test.call(this, subject, ...testArgs)) : Boolean(subject);
      return passed === keep;
    });
  };
}

function sum(value: unknown, ...rest: unknown[]): number {
  const { positional, keywords } = split(rest);
  const attribute = keywords.attribute ?? positional[0];
  let total = Number(keywords.start ?? positional[1] ?? 0);
  for (const item of list(value)) {
    total += Number(
      attribute === undefined || attribute === null ? item : safePath(item, attribute),
    );
  }
  return total;
}

function title(value: unknown): string {
  return printedText(value ?? '')
    .split(/([-\s({[<]+)/)
    .filter(Boolean)
    .map((w) => (w[0] as string).toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

function truncate(value: unknown, ...rest: unknown[]): string {
  const { positional, keywords } = split(rest);
  const text = printedText(value ?? '');
  const length = width(keywords.length ?? positional[0], 255);
  const killwords = Boolean(keywords.killwords ?? positional[1] ?? false);
  const end = printedText(keywords.end ?? positional[2] ?? '...');
  const leeway = width(keywords.leeway ?? positional[3], 5);
  if (text.length <= length + leeway) return text;
  const cut = text.slice(0, Math.max(0, length - end.length));
  if (killwords) return cut + end;
  const space = cut.lastIndexOf(' ');
  return (space === -1 ? cut : cut.slice(0, space)) + end;
}

/** Python's str.center(width): the odd space goes left when the width is odd. */
function center(value: unknown, w: unknown = 80): string {
  const text = printedText(value);
  const total = width(w, 80);
  const pad = total - text.length;
  if (pad <= 0) return text;
  const left = Math.floor(pad / 2) + (pad & total & 1);
  return ' '.repeat(left) + text + ' '.repeat(pad - left);
}

/**
 * nunjucks' own filters whose size argument is bounded first (a width or count of a billion would
 * exhaust the memory before the result's size is checked).
 */
export function boundedSizes(env: {
  getFilter(name: string): (...args: unknown[]) => unknown;
}): Record<string, (...args: unknown[]) => unknown> {
  const bounded = (name: string) => {
    const original = env.getFilter(name);
    return function (this: unknown, value: unknown, size?: unknown, ...rest: unknown[]): unknown {
      if (typeof size === 'number' || typeof size === 'string') width(Number(size), 0);
      return original.call(this, value, size, ...rest);
    };
  };
  return { indent: bounded('indent'), batch: bounded('batch'), slice: bounded('slice') };
}

/** Jinja's results where nunjucks' own filters differ. */
export const JINJA_OVERRIDES: Record<string, (this: FilterContext, ...args: never[]) => unknown> = {
  round,
  center,
  float: toFloat,
  groupby,
  select: selector(true, false),
  reject: selector(false, false),
  selectattr: selector(true, true),
  rejectattr: selector(false, true),
  sum,
  title,
  truncate,
};
