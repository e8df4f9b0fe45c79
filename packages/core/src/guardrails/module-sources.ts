/**
 * FEATURES_TERRAFORM_MODULES: the remote module sources a rendered project may use (docs/actions.md#inputs-with-safety-meaning).
 * The format, and whether a source is allowed (checkModuleSources applies it to every module call).
 */

export type ModuleSourceType = 'gitHttps' | 'terraformRegistry';

export interface AllowedModuleSource {
  sourceType: ModuleSourceType;
  /** `github.com/org` for gitHttps, `namespace/name` for the registry. */
  path: string;
  private: boolean;
  /** For private gitHttps sources: the token git uses. A secret: mask it before anything else. */
  token?: string;
}

const SOURCE_TYPES: readonly ModuleSourceType[] = ['gitHttps', 'terraformRegistry'];

/**
 * Parses the JSON list. Throws an Error that names the element and the field that is wrong.
 * `onSecret` is called with every token before this function returns.
 */
export function parseAllowedModuleSources(
  raw: string,
  onSecret: (token: string) => void = () => undefined,
): AllowedModuleSource[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `is not valid JSON (${(error as Error).message}). Expected a list such as [{"sourceType": "gitHttps", "path": "github.com/org", "private": false}].`,
    );
  }
  if (!Array.isArray(value)) throw new Error('must be a JSON list of module sources.');
  // Mask every token first: a later validation error must not be the first place one appears.
  for (const item of value as unknown[]) {
    const token = (item as { token?: unknown } | null)?.token;
    if (typeof token === 'string' && token !== '') onSecret(token);
  }
  return (value as unknown[]).map((item, index) => {
    const where = `element ${index}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new Error(`${where} must be an object.`);
    }
    const entry = item as Record<string, unknown>;
    if (!SOURCE_TYPES.includes(entry.sourceType as ModuleSourceType)) {
      throw new Error(
        `${where} has sourceType ${JSON.stringify(entry.sourceType)}; expected gitHttps or terraformRegistry.`,
      );
    }
    if (typeof entry.path !== 'string' || entry.path.trim() === '') {
      throw new Error(`${where} has no path (e.g. "github.com/org" or "namespace/name").`);
    }
    const isPrivate = entry.private ?? false;
    if (typeof isPrivate !== 'boolean')
      throw new Error(`${where} has a "private" that is not true or false.`);
    if (entry.token !== undefined && typeof entry.token !== 'string') {
      throw new Error(`${where} has a token that is not a string.`);
    }
    const token = entry.token;
    if (isPrivate && entry.sourceType === 'gitHttps' && !token) {
      throw new Error(`${where} is a private gitHttps source without a token.`);
    }
    return {
      sourceType: entry.sourceType as ModuleSourceType,
      path: entry.path.trim(),
      private: isPrivate,
      ...(token ? { token } : {}),
    };
  });
}

/** Normalises a module source to `host/path` (git) or `namespace/name/provider` (registry). */
function normalise(source: string): string {
  return source
    .replace(/^git::/, '')
    .replace(/^(https?|ssh|git):\/\//, '')
    .replace(/^git@([^:]+):/, '$1/')
    .replace(/\?.*$/, '')
    .replace(/\/\/.*$/, '')
    .replace(/\.git$/, '')
    .replace(/^registry\.terraform\.io\//, '');
}

/**
 * Sources whose path a client could resolve elsewhere than it reads: dot segments (HTTP clients
 * collapse `acme/../other`), encoded dots or slashes, backslashes, control characters.
 */
function ambiguous(target: string): boolean {
  return (
    target.split('/').some((segment) => segment === '..' || segment === '.') ||
    /%2e|%2f|%5c|\\|\s/i.test(target) ||
    [...target].some((char) => char.charCodeAt(0) < 0x20)
  );
}

/** Whether a remote module source is under one of the allowed entries. */
export function moduleSourceAllowed(
  source: string,
  entries: readonly AllowedModuleSource[],
): boolean {
  const target = normalise(source);
  if (ambiguous(target)) return false;
  return entries.some((entry) => {
    const prefix = entry.path.replace(/\/+$/, '');
    return target === prefix || target.startsWith(`${prefix}/`);
  });
}
