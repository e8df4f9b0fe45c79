/**
 * A YAML file read with source positions, so every problem found in it can name its file, line and
 * column (and become a GitHub annotation).
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem, SourceLocation } from '../errors';

export type YamlPath = readonly (string | number)[];

export interface YamlFile {
  /** The path used in messages (relative to the repository root). */
  file: string;
  value: unknown;
  /** Where the node at `path` starts; the closest existing parent when it is absent. */
  locate: (path: YamlPath) => SourceLocation;
}

/** Parses YAML text. Syntax errors come back as problems with line and column. */
export function parseYaml(text: string, file: string): { yaml?: YamlFile; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return {
          message: `YAML syntax error: ${error.message.split('\n')[0]}`,
          location: { file, line, column: col },
        };
      }),
    };
  }
  const locate = (path: YamlPath): SourceLocation => {
    let node: unknown = doc.contents;
    let best: Node | undefined = doc.contents ?? undefined;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => (item.key as { value?: unknown } | null)?.value === key,
        );
        // The key's position reads better than the value's for "missing/invalid" messages.
        best = (pair?.key as Node | undefined) ?? best;
        node = pair?.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        best = (node as Node | undefined) ?? best;
      } else break;
      if (node === undefined || node === null) break;
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  return { yaml: { file, value: doc.toJS() as unknown, locate }, problems: [] };
}

/** Reads and parses a YAML file. */
export async function readYamlFile(
  path: string,
  file: string,
): Promise<{ yaml?: YamlFile; problems: Problem[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      problems: [
        { message: `Cannot read the file: ${(error as Error).message}`, location: { file } },
      ],
    };
  }
  return parseYaml(text, file);
}

/** A scalar as text for messages and names; anything else as JSON. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === undefined ||
    value === null
  ) {
    return String(value);
  }
  return JSON.stringify(value);
}

/** A plain object (YAML mapping) or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
