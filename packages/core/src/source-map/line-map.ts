/**
 * Which template line printed each line of a rendered file, found by aligning the two texts the
 * way a person would: literal text anchors a rendered line to the template line that holds it,
 * `{{ }}` values match anything, lines that are only `{% %}` tags or `{# #}` comments print
 * nothing (or an empty line), lines of a false `{% if %}` branch are skipped, and a `{% for %}`
 * body may repeat. The best alignment (fewest skipped and unmatched lines) is found in one pass
 * over the rendered lines (a Viterbi search whose jumps cost O(1) each through prefix minima).
 */
import { matcher, squash, templateShape, type TemplateShape } from './template-lines';

/** Where a rendered line came from. Lines start at 1. */
export interface MappedLine {
  line: number;
  /** The rendered line matched that template line's literal text: not a guess. */
  exact: boolean;
}

/** Above this many rendered lines × template lines the alignment is not tried (time, memory). */
const MAX_CELLS = 8_000_000;
const COST = {
  /** A rendered line that its template line does not match. */
  mismatch: 5,
  /** A template line with text of its own left out (a false `{% if %}` branch). */
  skip: 1,
  /** An empty template line left out (whitespace control). */
  skipBlank: 0.25,
  /** One more rendered line from the same template line (a value holding line breaks). */
  stay: 1,
  /** Going back to the top of a `{% for %}` body. */
  loop: 0.5,
};

/**
 * Maps every rendered line (index 0 = line 1) to a template line. Without a usable alignment
 * (empty template, too large) each line maps to the same number, not exact.
 */
export function mapRenderedLines(template: string, rendered: string): MappedLine[] {
  const out = rendered.split('\n').map(squash);
  const shape = templateShape(template);
  const size = shape.lines.length;
  if (size === 0 || out.length * size > MAX_CELLS) {
    return out.map((_, i) => ({ line: Math.min(i + 1, size || 1), exact: false }));
  }
  const matches = shape.lines.map(matcher);
  return align(shape, matches, out).map((t, j) => ({
    line: t + 1,
    exact: shape.lines[t]?.literal === true && (matches[t] as Match)(out[j] as string),
  }));
}

type Match = (rendered: string) => boolean;

/** The template line index for each rendered line, on the cheapest alignment. */
function align(shape: TemplateShape, matches: readonly Match[], out: readonly string[]): number[] {
  const T = shape.lines.length;
  // prefix[k]: the cost of leaving out template lines 0..k-1.
  const prefix = new Float64Array(T + 1);
  shape.lines.forEach((line, k) => {
    const cost = line.silent ? 0 : line.parts.length === 0 ? COST.skipBlank : COST.skip;
    prefix[k + 1] = (prefix[k] as number) + cost;
  });
  const back = new Int32Array(out.length * T);
  let score = new Float64Array(T);
  let next = new Float64Array(T);
  for (let j = 0; j < out.length; j++) {
    const row = j * T;
    // Forward: from s < t, leaving out s+1..t-1; the start of the file counts as s = -1.
    let bestValue = j === 0 ? -(prefix[0] as number) : Infinity;
    let bestFrom = -1;
    for (let t = 0; t < T; t++) {
      let value = bestValue + (prefix[t] as number);
      let from = bestFrom;
      if (j > 0 && (score[t] as number) + COST.stay < value) {
        value = (score[t] as number) + COST.stay;
        from = t;
      }
      next[t] = value;
      back[row + t] = from;
      if (j > 0) {
        const candidate = (score[t] as number) - (prefix[t + 1] as number);
        if (candidate < bestValue) {
          bestValue = candidate;
          bestFrom = t;
        }
      }
    }
    // Back to the top of a loop: from anywhere in its body, to anywhere in it.
    if (j > 0) {
      for (const { start, end } of shape.loops) {
        let m = Infinity;
        let from = -1;
        for (let s = start; s <= end; s++) {
          const candidate = (score[s] as number) - (prefix[s + 1] as number);
          if (candidate < m) {
            m = candidate;
            from = s;
          }
        }
        const base = m + (prefix[end + 1] as number) + COST.loop - (prefix[start] as number);
        for (let t = start; t <= end; t++) {
          const value = base + (prefix[t] as number);
          if (value < (next[t] as number)) {
            next[t] = value;
            back[row + t] = from;
          }
        }
      }
    }
    const line = out[j] as string;
    for (let t = 0; t < T; t++) {
      if (!(matches[t] as Match)(line)) next[t] = (next[t] as number) + COST.mismatch;
    }
    [score, next] = [next, score];
  }
  let end = 0;
  for (let t = 1; t < T; t++) if ((score[t] as number) < (score[end] as number)) end = t;
  const path = new Array<number>(out.length);
  for (let j = out.length - 1, t = end; j >= 0; j--) {
    path[j] = t;
    t = back[j * T + t] as number;
  }
  return path;
}
