/**
 * Attribute lookups for filters that take an attribute name (`attr`, `map(attribute=...)`): the
 * same rules as the template's own lookups (strict-nunjucks.ts), so a filter cannot be a way
 * around the sandbox: own properties only, nothing that leads to a prototype or to Function, and
 * (as in Jinja's sandbox) no `_private` names.
 */
import { SandboxError } from '../sandbox-error';

const FORBIDDEN = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__']);

/** `obj[key]` when it is an own, non-function property; otherwise undefined. */
export function safeMember(obj: unknown, key: string | number): unknown {
  if (FORBIDDEN.has(String(key))) {
    throw new SandboxError(`'${String(key)}' cannot be accessed from a template`);
  }
  if (typeof key === 'string' && key.startsWith('_')) return undefined;
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'string')) return undefined;
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return undefined;
  const value = (obj as Record<string | number, unknown>)[key];
  return typeof value === 'function' ? undefined : value;
}

/** Jinja's dotted attribute paths (`user.name`, `items.0`), each step a safe member. */
export function safePath(obj: unknown, path: unknown): unknown {
  if (typeof path === 'number') return safeMember(obj, path);
  let value = obj;
  for (const part of String(path).split('.')) {
    value = safeMember(value, /^\d+$/.test(part) && Array.isArray(value) ? Number(part) : part);
  }
  return value;
}
