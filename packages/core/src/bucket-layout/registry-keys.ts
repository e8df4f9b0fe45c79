/**
 * Where the plugin registry keeps a published version in the IaC bucket. Every name is URI-encoded
 * in keys (see README.md beside this file).
 *
 * `plugins/<studio>/<name>/<version>/release.json`          what was published: digest, files, who, when
 * `plugins/<studio>/<name>/<version>/content/<digest>.json` the files (content-addressed)
 */

/** Every key of the registry starts with it. */
export const REGISTRY_PREFIX = 'plugins/';

/** A published plugin version: `<studio>/<name>@<version>`, as stk.yaml names it. */
export interface RegistryRef {
  studio: string;
  name: string;
  version: string;
}

function segment(text: string): string {
  return encodeURIComponent(text);
}

/** The prefix of a plugin's versions, or of one version. */
export function pluginPrefix(studio: string, name: string): string {
  return `${REGISTRY_PREFIX}${segment(studio)}/${segment(name)}/`;
}

export function versionPrefix(ref: RegistryRef): string {
  return `${pluginPrefix(ref.studio, ref.name)}${segment(ref.version)}/`;
}

export function releaseKey(ref: RegistryRef): string {
  return `${versionPrefix(ref)}release.json`;
}

export function contentKey(ref: RegistryRef, digest: string): string {
  return `${versionPrefix(ref)}content/${digest}.json`;
}

/** The version a release key belongs to; undefined for any other key under the prefix. */
export function refOfReleaseKey(key: string): RegistryRef | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  if (parts.length !== 4 || parts[3] !== 'release.json') return undefined;
  try {
    const [studio, name, version] = parts.slice(0, 3).map(decodeURIComponent) as [
      string,
      string,
      string,
    ];
    return { studio, name, version };
  } catch {
    return undefined;
  }
}
