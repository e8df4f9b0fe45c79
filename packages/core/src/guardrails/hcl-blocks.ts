/**
 * A small HCL reader for the guardrails: it finds blocks (`resource "t" "n" {`, `module "m" {`,
 * `provisioner "local-exec" {`) and their string attributes, with lines, skipping comments,
 * strings and heredocs so nothing inside them is mistaken for a block. It does not evaluate HCL.
 */

export interface HclBlock {
  type: string;
  labels: string[];
  line: number;
  /** Attributes whose value is a plain string literal, or `true` / `false` (as those words). */
  attributes: Record<string, string>;
  children: HclBlock[];
}

export function readHclBlocks(text: string): HclBlock[] {
  const root: HclBlock = { type: '', labels: [], line: 0, attributes: {}, children: [] };
  const stack: HclBlock[] = [root];
  let i = 0;
  let line = 1;
  // Words and strings seen since the last statement boundary, to recognise `type "label" {`.
  let pending: { kind: 'word' | 'string'; value: string }[] = [];
  let pendingLine = 1;
  const current = (): HclBlock => stack[stack.length - 1] as HclBlock;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\n') {
      line++;
      i++;
      const tokens = pending;
      if (
        tokens.length === 3 &&
        tokens[0]?.kind === 'word' &&
        tokens[1]?.value === '=' &&
        (tokens[2]?.kind === 'string' ||
          (tokens[2]?.kind === 'word' && /^(true|false)$/.test(tokens[2].value)))
      ) {
        current().attributes[tokens[0].value] = tokens[2].value;
      }
      pending = [];
      continue;
    }
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      line += (text.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop;
      continue;
    }
    if (ch === '"') {
      const { value, end, lines } = readString(text, i);
      if (pending.length === 0) pendingLine = line;
      pending.push({ kind: 'string', value });
      line += lines;
      i = end;
      continue;
    }
    if (ch === '<' && text[i + 1] === '<') {
      const match = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\n/.exec(text.slice(i));
      if (match) {
        const marker = match[1] as string;
        const body = text.slice(i + match[0].length);
        const endMatch = new RegExp(`^\\s*${marker}\\s*$`, 'm').exec(body);
        const stop = endMatch
          ? i + match[0].length + endMatch.index + endMatch[0].length
          : text.length;
        line += (text.slice(i, stop).match(/\n/g) ?? []).length;
        i = stop;
        pending.push({ kind: 'string', value: '' });
        continue;
      }
    }
    if (ch === '{') {
      const words = pending;
      const type = words[0]?.kind === 'word' && words[0].value !== '=' ? words[0].value : '';
      const labels = words.slice(1).every((w) => w.kind === 'string')
        ? words.slice(1).map((w) => w.value)
        : [];
      const block: HclBlock = {
        type: type && !words.some((w) => w.value === '=') ? type : '',
        labels,
        line: pendingLine,
        attributes: {},
        children: [],
      };
      current().children.push(block);
      stack.push(block);
      pending = [];
      i++;
      continue;
    }
    if (ch === '}') {
      if (stack.length > 1) stack.pop();
      pending = [];
      i++;
      continue;
    }
    if (ch === '=' && text[i + 1] !== '=' && text[i + 1] !== '>') {
      pending.push({ kind: 'word', value: '=' });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 200));
    if (word) {
      if (pending.length === 0) pendingLine = line;
      pending.push({ kind: 'word', value: word[0] });
      i += word[0].length;
      continue;
    }
    if (!/\s/.test(ch)) pending.push({ kind: 'word', value: ch });
    i++;
  }
  return root.children;
}

/** Reads a quoted string from `start` (at the quote), skipping escapes and `${...}` templates. */
function readString(text: string, start: number): { value: string; end: number; lines: number } {
  let i = start + 1;
  let value = '';
  let depth = 0;
  let lines = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\n') lines++;
    if (ch === '\\') {
      value += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '$' && text[i + 1] === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    else if (ch === '"' && depth === 0) return { value, end: i + 1, lines };
    value += ch;
    i++;
  }
  return { value, end: i, lines };
}

/** Every block in the tree, depth first, with its parent chain. */
export function* walkBlocks(
  blocks: readonly HclBlock[],
  parents: HclBlock[] = [],
): Generator<{ block: HclBlock; parents: HclBlock[] }> {
  for (const block of blocks) {
    yield { block, parents };
    yield* walkBlocks(block.children, [...parents, block]);
  }
}
