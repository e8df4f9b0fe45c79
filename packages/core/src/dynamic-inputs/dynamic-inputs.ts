/**
 * DYNAMIC_INPUTS: `--key value --key2 value2` (also `--key=value`), added to every plugin's inputs.
 * Values may be quoted with single or double quotes to hold spaces.
 */

/** Parses the flags into a map. Throws an Error saying which token is wrong. */
export function parseDynamicInputs(raw: string): Record<string, string> {
  const tokens = tokenize(raw);
  const result: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('--') || token.length === 2) {
      throw new Error(
        `expects --key value pairs; '${token}' is not a --key. Example: --bucket_name my-bucket --replicas 2.`,
      );
    }
    const eq = token.indexOf('=');
    let key: string;
    let value: string;
    if (eq > 2) {
      key = token.slice(2, eq);
      value = token.slice(eq + 1);
    } else {
      key = token.slice(2);
      const next = tokens[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new Error(`gives no value for --${key}. Write --${key} <value>.`);
      }
      value = next;
      i++;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
      throw new Error(`has '--${key}', which is not a valid input name.`);
    }
    result[key] = value;
  }
  return result;
}

function tokenize(raw: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (const ch of raw) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) throw new Error(`has an unclosed ${quote} quote.`);
  if (inToken) tokens.push(current);
  return tokens;
}
