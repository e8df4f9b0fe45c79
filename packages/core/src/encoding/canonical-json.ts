/**
 * JSON with object keys sorted at every level, so equal data always gives equal bytes: what every
 * digest of the engine (manifest, plugins, shared values, connection types) is taken over.
 */
import { createHash } from 'node:crypto';

/** `value` with the keys of every object sorted and undefined members dropped. */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonicalize((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** `value` as canonical JSON text (see canonicalize). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** The SHA-256 of `text` (UTF-8), in hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
