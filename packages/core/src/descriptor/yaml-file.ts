/**
 * A YAML file read with source positions, so every problem found in it can name its file, line and
 * column (and become a GitHub annotation).
 */
import { lstat, readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem, SourceLocation } from '../errors';

/** Larger descriptor or plugin files are refused before they are read. */
export const MAX_YAML_BYTES = 2 * 1024 * 1024;
/** How many alias expansions a file may use (the yaml library's own default). */
const MAX_ALIAS_COUNT = 100;

export type YamlPath = readonly (string | number)[];

export interface YamlFile {
  /** The path used in messages (relative to the repository root). */
  file: string;
  value: unknown;
  /** Where the node at `path` starts; the closest existing parent when it is absent. */
  locate: (path: YamlPath) => SourceLocation;
}

/** What a parser failure means; both the parser and toJS recurse, so deep nesting exhausts the stack. */
function unreadable(error: unknown): string {
  return `The YAML cannot be read: ${error instanceof RangeError ? 'it nests too deeply' : (error as Error).message}.`;
}

/** Parses YAML text. Syntax errors come back as problems with line and column. */
export function parseYaml(text: string, file: string): { yaml?: YamlFile; problems: Problem[] } {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    return { problems: [{ message: unreadable(error), location: { file } }] };
  }
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
  // Tags such as !!js/function ask for a type this reader does not have: refuse, never guess.
  const unknownTags = doc.warnings.filter((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unknownTags.length > 0) {
    return {
      problems: unknownTags.map((warning) => {
        const { line, col } = lineCounter.linePos(warning.pos[0]);
        return {
          message: `YAML tag not supported: ${warning.message.split('\n')[0]}`,
          location: { file, line, column: col },
          hint: 'Write the value as plain text, without a tag.',
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
  let value: unknown;
  try {
    // Aliases are expanded with a budget, so a few lines of anchors cannot expand to gigabytes.
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    return {
      problems: [
        {
          message: /alias/i.test((error as Error).message)
            ? `The YAML uses aliases (*name) more than ${MAX_ALIAS_COUNT} times over: refused, as an alias bomb would be.`
            : unreadable(error),
          location: { file },
        },
      ],
    };
  }
  return { yaml: { file, value, locate }, problems: [] };
}

/** Reads and parses a YAML file. */
export async function readYamlFile(
  path: string,
  file: string,
): Promise<{ yaml?: YamlFile; problems: Problem[] }> {
  let bytes: Buffer;
  try {
    // Not followed: a link could read (and quote in errors) any file of the runner; a FIFO would hang.
    const found = await lstat(path);
    if (!found.isFile()) {
      return {
        problems: [
          {
            message: `The file is ${found.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; descriptors and plugin files are read only as regular files of the repository.`,
            location: { file },
            hint: 'Copy the file into place instead of linking to it.',
          },
        ],
      };
    }
    const size = found.size;
    if (size > MAX_YAML_BYTES) {
      return {
        problems: [
          {
            message: `The file is ${(size / 1048576).toFixed(1)} MiB; descriptors and plugin files are read up to ${MAX_YAML_BYTES / 1048576} MiB.`,
            location: { file },
          },
        ],
      };
    }
    bytes = await readFile(path);
  } catch (error) {
    return {
      problems: [
        { message: `Cannot read the file: ${(error as Error).message}`, location: { file } },
      ],
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      problems: [
        {
          message: 'The file is not valid UTF-8 text.',
          location: { file },
          hint: 'Save it as UTF-8 (YAML files must be UTF-8).',
        },
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
