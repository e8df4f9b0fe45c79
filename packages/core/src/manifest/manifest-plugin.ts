/**
 * One plugin of the manifest, from its stk.yaml entry, its resolved inputs and connections, and
 * its folder: what it reads of the shared values (templates and stk.yaml values) and its digest.
 */
import type { DescriptorPlugin } from '../descriptor';
import type { PluginSnapshot } from '../plugins';
import { parsePluginRef, type LocatedPlugin } from '../plugins';
import { sharedValueRefs, type SharedValueRefs } from '../templates/shared-value-refs';
import type { ResolvedSharedValue } from '../workspace';
import { canonicalJson, sha256 } from '../encoding';
import type { GeneratedConnection, ManifestPlugin } from './types';

/** Aliases of the plugins of this manifest it requires a connection from. */
export function dependsOn(requires: ManifestPlugin['requires']): string[] {
  return [...new Set(requires.flatMap((r) => (r.from.kind === 'plugin' ? [r.from.alias] : [])))];
}

/** What a run records of a shared value: never the value itself. */
export function withoutValue(value: ResolvedSharedValue): Omit<ResolvedSharedValue, 'value'> {
  return {
    secret: value.secret,
    scope: value.scope,
    revision: value.revision,
    updatedAt: value.updatedAt,
    updatedBy: value.updatedBy,
    digest: value.digest,
  };
}

export interface FolderInfo {
  digest: string;
  refs: SharedValueRefs;
}

export function readFolder(snapshot: PluginSnapshot): FolderInfo {
  const templates = snapshot.files
    .filter((f) => f.path.startsWith('templates-deploy/'))
    .map((f) => Buffer.from(f.base64, 'base64').toString('utf8'));
  return { digest: snapshot.digest, refs: sharedValueRefs(templates) };
}

export function toManifestPlugin(
  p: {
    plugin: DescriptorPlugin;
    found?: LocatedPlugin;
    inputs: Record<string, unknown>;
    generates: GeneratedConnection[];
    requires: ManifestPlugin['requires'];
  },
  folder: FolderInfo,
  shared: Record<string, ResolvedSharedValue>,
  /** Keys its stk.yaml values read (`{{ var.KEY }}`), already substituted into its inputs. */
  stkKeys: readonly string[],
): ManifestPlugin {
  const ref = parsePluginRef(p.plugin.ref);
  const requiredValues = p.requires.map((r) => [
    r.name,
    r.from.kind === 'context' ? r.from.attributes : r.from.alias,
  ]);
  const sharedKeys =
    p.plugin.type !== 'infra'
      ? []
      : [
          ...new Set([
            ...folder.refs.keys,
            ...stkKeys,
            ...(folder.refs.all ? Object.keys(shared) : []),
          ]),
        ].sort();
  const files = folder.digest;
  return {
    alias: p.plugin.alias,
    ref: p.plugin.ref,
    name: p.found?.definition.name ?? ref?.name ?? p.plugin.ref,
    version: p.found?.definition.version ?? ref?.version ?? '',
    type: p.plugin.type,
    ...(p.found
      ? {
          source: { kind: p.found.kind, dir: p.found.dir, displayDir: p.found.displayDir },
          pluginFile: p.found.definition.file,
        }
      : {}),
    ...(p.found?.definition.terraform ? { terraform: p.found.definition.terraform } : {}),
    inputs: p.inputs,
    requires: p.requires,
    generates: p.generates,
    dependsOn: dependsOn(p.requires),
    ...(sharedKeys.length > 0 ? { sharedValues: sharedKeys } : {}),
    ...(folder.refs.all && p.plugin.type === 'infra' ? { sharedValuesAll: true } : {}),
    digest: sha256(
      canonicalJson({
        inputs: p.inputs,
        required: requiredValues,
        files,
        // Only when used, so plugins without shared values keep the digests they had.
        ...(sharedKeys.length > 0
          ? { shared: sharedKeys.map((k) => [k, shared[k]?.digest ?? null]) }
          : {}),
      }),
    ),
  };
}
