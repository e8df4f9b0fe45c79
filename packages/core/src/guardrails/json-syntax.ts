/**
 * A strict JSON reader for Terraform's JSON syntax (`.tf.json`) that keeps every duplicate key and
 * the line of each key (see config-tree). Anything that is not plain RFC 8259 JSON is refused: the
 * guard must never read a file differently from Terraform, so it reads less, never more.
 */
import { TreeObject, type TreeEntry, type TreeValue } from './config-tree';

export function parseJsonSyntax(text: string): TreeObject {
  let i = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new Error(`line ${line}: ${what}`);
  };
  const space = (): void => {
    while (i < text.length) {
      const ch = text[i];
      if (ch === '\n') line++;
      else if (ch !== ' ' && ch !== '\t' && ch !== '\r') return;
      i++;
    }
  };
  const string = (): string => {
    i++; // opening quote
    let out = '';
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch < ' ') fail('control character in a string');
      if (ch === '\\') {
        const esc = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (esc !== undefined && esc in simple) {
          out += simple[esc];
          i += 2;
        } else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail('invalid escape in a string');
        continue;
      }
      out += ch;
      i++;
    }
    return fail('unterminated string');
  };
  const value = (depth: number): TreeValue => {
    if (depth > 200) fail('nested too deeply');
    space();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const entries: TreeEntry[] = [];
      space();
      if (text[i] === '}') {
        i++;
        return new TreeObject(entries);
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a quoted key');
        const keyLine = line;
        const key = string();
        space();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push({ key, value: value(depth + 1), line: keyLine });
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return new TreeObject(entries);
        }
        fail('expected "," or "}"');
      }
    }
    if (ch === '[') {
      i++;
      const items: TreeValue[] = [];
      space();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        fail('expected "," or "]"');
      }
    }
    if (ch === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) return fail('unexpected character');
    i += literal[0].length;
    if (literal[0] === 'true') return true;
    if (literal[0] === 'false') return false;
    if (literal[0] === 'null') return null;
    return Number(literal[0]);
  };
  if (text.charCodeAt(0) === 0xfeff) fail('byte order mark');
  const root = value(0);
  space();
  if (i < text.length) fail('text after the JSON value');
  if (!(root instanceof TreeObject)) fail('the file must hold one JSON object');
  return root as TreeObject;
}
