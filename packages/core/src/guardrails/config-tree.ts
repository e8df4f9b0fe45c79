/**
 * One shape for a Terraform file, whichever syntax it is written in: objects are lists of entries,
 * so the duplicate keys of a JSON-syntax file are all kept (HCL's JSON parser keeps them all;
 * JSON.parse would keep only the last). Native-syntax files come from parseHcl (Terraform's JSON
 * shape), JSON-syntax files from parseJsonSyntax; the guards walk both the same way.
 */

export type TreeValue = string | number | boolean | null | TreeValue[] | TreeObject;

export interface TreeEntry {
  key: string;
  value: TreeValue;
  /** Line of the key, known for JSON-syntax files only. */
  line?: number;
}

export class TreeObject {
  constructor(readonly entries: TreeEntry[]) {}

  /** Every value under `key` (several when a JSON file repeats it). */
  all(key: string): TreeValue[] {
    return this.entries.filter((e) => e.key === key).map((e) => e.value);
  }

  lineOf(key: string): number | undefined {
    return this.entries.find((e) => e.key === key)?.line;
  }
}

/** parseHcl's result in the tree's shape. */
export function fromPlain(value: unknown): TreeValue {
  if (Array.isArray(value)) return value.map(fromPlain);
  if (value !== null && typeof value === 'object')
    return new TreeObject(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
        key,
        value: fromPlain(v),
      })),
    );
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  return null;
}

/** A block found in a body: its labels, its body and the line of its outermost key (JSON). */
export interface TreeBlock {
  labels: string[];
  body: TreeObject;
  line?: number;
}

/**
 * The blocks of one type in a body, with `labelCount` labels: Terraform's JSON syntax (and
 * parseHcl's output) nests one object level per label and allows a list of objects at any level.
 * Values that are not objects are not blocks (Terraform refuses them) and are skipped.
 */
export function blocksOf(body: TreeObject, type: string, labelCount: number): TreeBlock[] {
  const found: TreeBlock[] = [];
  const visit = (value: TreeValue, labels: string[], line: number | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, labels, line);
      return;
    }
    if (!(value instanceof TreeObject)) return;
    if (labels.length === labelCount) {
      found.push({ labels, body: value, ...(line !== undefined ? { line } : {}) });
      return;
    }
    for (const entry of value.entries) {
      if (entry.key === '//') continue;
      visit(entry.value, [...labels, entry.key], entry.line ?? line);
    }
  };
  for (const entry of body.entries) if (entry.key === type) visit(entry.value, [], entry.line);
  return found;
}

/** Every string in a value, object keys included (in JSON syntax keys are templates too). */
export function* stringsIn(value: TreeValue): Generator<{ text: string; line?: number }> {
  if (typeof value === 'string') yield { text: value };
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (value instanceof TreeObject)
    for (const entry of value.entries) {
      yield { text: entry.key, ...(entry.line !== undefined ? { line: entry.line } : {}) };
      for (const inner of stringsIn(entry.value))
        yield {
          ...inner,
          ...(inner.line === undefined && entry.line !== undefined ? { line: entry.line } : {}),
        };
    }
}

/** Every object in a value, depth first (block bodies and object values alike). */
export function* objectsIn(value: TreeValue): Generator<TreeObject> {
  if (Array.isArray(value)) for (const item of value) yield* objectsIn(item);
  else if (value instanceof TreeObject) {
    yield value;
    for (const entry of value.entries) yield* objectsIn(entry.value);
  }
}

/** A single string attribute; undefined when absent or not a string. */
export function stringAttribute(body: TreeObject, name: string): string | undefined {
  const value = body.all(name)[0];
  return typeof value === 'string' ? value : undefined;
}
