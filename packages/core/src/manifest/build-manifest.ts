/**
 * From `.stk/stk.yaml` and its plugins to the deployment manifest (docs/formats.md), or one
 * ConfigurationError listing every problem found. Reads files; changes nothing.
 */
import { join } from 'node:path';
import { ConfigurationError, type Problem } from '../errors';
import { parseDescriptor, readYamlFile, type Descriptor } from '../descriptor';
import { snapshotDirectory } from '../plugins';
import { checkGeneratedConnections } from '../connection-types/contract-checks';
import type { ConnectionInterfaceType } from '../connection-types/connection-type';
import { cliCommand } from '../commands';
import {
  displayPath,
  parsePluginRef,
  PluginCatalog,
  type LocatedPlugin,
  type PluginRef,
} from '../plugins';
import { canonicalize, canonicalJson, sha256 } from '../encoding';
import { checkRequiredDeclared, generatedConnections, requiredConnections } from './connections';
import { inDestroyOrder, orderByDependencies } from './ordering';
import { resolvePluginInputs } from './plugin-inputs';
import {
  dependsOn,
  readFolder,
  toManifestPlugin,
  withoutValue,
  type FolderInfo,
} from './manifest-plugin';
import { resolveDescriptorSharedValues } from './stk-shared-values';
import { assignConnectors } from './v1-connectors';
import type { DeploymentTarget } from '../target';
import type { BuildManifestOptions, GeneratedConnection, Manifest, ManifestPlugin } from './types';

/** A stable id derived from the application name, for descriptors not yet registered. */
export function deriveAppId(name: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = Buffer.from(sha256(`stk-app:${name}`), 'hex');
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let id = '';
  for (let i = 0; i < 26; i++) id += alphabet[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
  return id;
}

/**
 * Reads and checks `<repoRoot>/<workdir>/.stk/stk.yaml` alone: callers run it before touching
 * anything else, so a broken descriptor fails first.
 */
export async function readDescriptor(repoRoot: string, workdir: string): Promise<Descriptor> {
  const stkPath = join(repoRoot, workdir, '.stk', 'stk.yaml');
  const stkFile = displayPath(repoRoot, stkPath);
  const read = await readYamlFile(stkPath, stkFile);
  if (!read.yaml) throw new ConfigurationError(read.problems, `${stkFile} cannot be read`);
  const parsed = parseDescriptor(read.yaml);
  if (!parsed.descriptor) throw new ConfigurationError(parsed.problems, `${stkFile} is not valid`);
  return parsed.descriptor;
}

export async function buildManifest(options: BuildManifestOptions): Promise<Manifest> {
  const appDir = join(options.repoRoot, options.workdir);
  const written = await readDescriptor(options.repoRoot, options.workdir);
  const stkFile = written.file;
  const target = descriptorTarget(written, options);
  // `{{ var.KEY }}` in stk.yaml values: filled in before anything reads them.
  const stkShared = resolveDescriptorSharedValues(written, options.sharedValues ?? {}, options);
  const descriptor = stkShared.descriptor;
  const derived = descriptor.plugins.filter((p) => p.derivedAlias);
  if (derived.length > 0)
    options.logger.info(
      `${stkFile} (schema-version v1) names no aliases; derived from the plugin names: ${derived.map((p) => `${p.ref} -> ${p.alias}`).join(', ')}.`,
    );

  const problems: Problem[] = [...stkShared.problems];
  const types = options.connectionTypes ?? new Map<string, ConnectionInterfaceType>();
  const catalog = new PluginCatalog(options.repoRoot);
  const located = new Map<string, LocatedPlugin>();
  await Promise.all(
    descriptor.plugins
      .filter((p) => p.type === 'infra')
      .map(async (plugin) => {
        const ref = parsePluginRef(plugin.ref);
        if (!ref) {
          problems.push({
            message: `Plugin ${plugin.alias} has name '${plugin.ref}'; expected studio/plugin@version.`,
            location: plugin.locate(['name']),
          });
          return;
        }
        const found = await catalog.locate(
          plugin.alias,
          ref,
          join(appDir, '.stk', 'FORKED_PLUGINS'),
          options.pluginDirs,
          options.registry,
        );
        if (found.plugin) {
          located.set(plugin.alias, found.plugin);
          problems.push(...found.problems);
        } else {
          problems.push(...found.problems, notFound(plugin, ref, found, options.registry));
        }
      }),
  );

  const context = {
    descriptor,
    environment: options.environment,
    workspace: options.workspace,
    version: options.version,
    dynamicInputs: options.dynamicInputs,
  };
  // v1 connectors become the required/generated connections their plugin.yaml declares.
  const entries = descriptor.plugins.map((plugin) => {
    const definition = located.get(plugin.alias)?.definition;
    return definition ? assignConnectors(plugin, definition, problems) : plugin;
  });
  const resolved = resolvePluginInputs(entries, located, context, options.logger);
  const partial = entries.map((plugin) => {
    const found = located.get(plugin.alias);
    const definition = found?.definition;
    if (found && definition && definition.type !== 'infra') {
      problems.push({
        message: `Plugin ${plugin.alias} is declared infra in stk.yaml, but ${definition.file} has spec.type '${definition.type}'.`,
        location: plugin.locate(['type']),
      });
    }
    const { inputs, problems: inputProblems } = resolved.inputs.get(plugin.alias) ?? {
      inputs: {},
      problems: [],
    };
    problems.push(...inputProblems);
    let generates: GeneratedConnection[] = [];
    if (definition) {
      checkRequiredDeclared(plugin, definition, problems);
      generates = generatedConnections(plugin, definition, problems);
      problems.push(
        ...checkGeneratedConnections(
          { alias: plugin.alias, pluginFile: definition.file },
          generates,
          types,
        ),
      );
    }
    return { plugin, found, inputs, generates };
  });

  const producers = new Map<string, { alias: string; type: string }>();
  for (const { plugin, generates } of partial) {
    if (plugin.type !== 'infra') continue;
    for (const g of generates) {
      const other = producers.get(g.name);
      if (other)
        problems.push({
          message: `Connection Interface ${g.name} is generated by both ${other.alias} and ${plugin.alias}.`,
          location: plugin.locate(['alias']),
        });
      else producers.set(g.name, { alias: plugin.alias, type: g.type });
    }
  }
  const withConnections = partial.map((p) => ({
    ...p,
    requires:
      p.plugin.type === 'infra'
        ? requiredConnections(p.plugin, producers, options.connectionInterfaces, problems)
        : [],
  }));
  if (problems.length > 0) throw new ConfigurationError(problems, `${stkFile} cannot be deployed`);

  const infra = withConnections.filter((p) => p.plugin.type === 'infra');
  const nodes = infra.map((p) => ({ alias: p.plugin.alias, dependsOn: dependsOn(p.requires) }));
  const ordered = orderByDependencies(nodes);
  if (!ordered.ok) {
    throw new ConfigurationError(
      ordered.cycles.map((cycle) => ({
        message: `Dependency cycle between plugins ${cycle.join(' -> ')} -> ${cycle[0]}: each requires a Connection Interface another generates.`,
        location: descriptor.plugins.find((p) => p.alias === cycle[0])?.locate(['alias']),
        hint: 'Break the cycle: one of them must not require the others.',
      })),
      `${stkFile} has a dependency cycle`,
    );
  }

  const plugins: ManifestPlugin[] = [];
  // Many plugins may share one plugin folder: read and hash each folder once.
  const folders = new Map<string, Promise<FolderInfo>>();
  const folderInfo = (found: LocatedPlugin): Promise<FolderInfo> => {
    let info = folders.get(found.dir);
    if (!info) {
      info = snapshotDirectory(found.dir, found.displayDir).then(readFolder);
      folders.set(found.dir, info);
    }
    return info;
  };
  const shared = options.sharedValues ?? {};
  for (const p of withConnections) {
    const info = p.found
      ? await folderInfo(p.found)
      : { digest: '', refs: { keys: [], all: false } };
    // Shared values behind global computed inputs reach every plugin with them.
    const stkKeys = [p.plugin.alias, ...resolved.globalSources].flatMap(
      (alias) => stkShared.keys.get(alias) ?? [],
    );
    plugins.push(toManifestPlugin(p, info, shared, stkKeys));
  }
  const usedKeys = new Set(plugins.flatMap((p) => p.sharedValues ?? []));
  const sharedValues = Object.fromEntries(
    [...usedKeys].sort().flatMap((key) => {
      const value = shared[key];
      if (!value) return [];
      return [[key, withoutValue(value)]];
    }),
  );
  const current = new Set(plugins.map((p) => p.alias));
  const removed = (options.previous?.plugins ?? []).filter(
    (p) => p.type === 'infra' && !current.has(p.alias),
  );
  const destroy = inDestroyOrder(removed);

  const body = {
    schemaVersion: 1 as const,
    target,
    version: options.version,
    plugins,
    deployOrder: ordered.order,
    destroy,
    ...(Object.keys(sharedValues).length > 0 ? { sharedValues } : {}),
    ...usedTypes(plugins, types),
  };
  return canonicalize({ ...body, digest: manifestDigest(body) }) as Manifest;
}

/**
 * A plugin found nowhere: every place looked in, the versions of it that are there (in the checkout
 * and in the registry), and how to make the asked one exist.
 */
function notFound(
  plugin: Descriptor['plugins'][number],
  ref: PluginRef,
  found: { looked: string[]; otherVersions: { version: string; displayDir: string }[] },
  registry: BuildManifestOptions['registry'],
): Problem {
  const others = found.otherVersions.map((o) => `${o.version} (${o.displayDir})`);
  const there = found.otherVersions[0]?.version;
  const publish = registry
    ? `publish it to the registry (${cliCommand('plugins', 'publish', '<plugin folder>', '--studio', ref.studio || '<studio>', '--bucket', '<IAC_BUCKET_NAME>')})`
    : '';
  return {
    message: `Plugin ${plugin.ref} (alias ${plugin.alias}) was not found${others.length > 0 ? ` at version ${ref.version}; ${ref.name} is there at version ${others.join(', ')}` : ''}. Looked in: ${found.looked.join(', ')}.`,
    location: plugin.locate(['name']),
    hint:
      there !== undefined
        ? `Ask for a version that is there in stk.yaml (${ref.name}@${there}), or add version ${ref.version} of the plugin to a PLUGINS_PATH directory${publish ? ` or ${publish}` : ''}.`
        : `Put the plugin in one of the PLUGINS_PATH directories (a folder with plugin.yaml and templates-deploy/)${publish ? `, fork it into .stk/FORKED_PLUGINS/<alias>/, or ${publish}` : ', or fork it into .stk/FORKED_PLUGINS/<alias>/'}.`,
  };
}

/**
 * What a deployment is about, from stk.yaml: its id, or one derived from metadata.name (with a
 * warning, since renaming the application would change it).
 */
export function descriptorTarget(
  descriptor: Descriptor,
  options: { workspace: string; environment: string; logger: BuildManifestOptions['logger'] },
): DeploymentTarget {
  let appId = descriptor.appId;
  if (!appId) {
    appId = deriveAppId(descriptor.name);
    options.logger.warning(
      `${descriptor.file} has no spec.${descriptor.appKind}-id; using ${appId}, derived from metadata.name '${descriptor.name}'. Renaming the application would change it: add the id to keep it.`,
      { file: descriptor.file },
    );
  }
  return {
    workspace: options.workspace,
    environment: options.environment,
    appKind: descriptor.appKind,
    appId,
    appName: descriptor.name,
  };
}

/** The manifest's digest: over the target, each plugin's digest, the order and the removals. */
export function manifestDigest(
  manifest: Omit<Manifest, 'digest' | 'schemaVersion' | 'version'>,
): string {
  return sha256(
    canonicalJson({
      target: manifest.target,
      plugins: manifest.plugins.map((p) => [p.alias, p.digest]),
      deployOrder: manifest.deployOrder,
      destroy: manifest.destroy.map((p) => p.alias),
    }),
  );
}

/** The known types the plugins generate or require, for the run (hints, secret attributes). */
function usedTypes(
  plugins: readonly ManifestPlugin[],
  types: ReadonlyMap<string, ConnectionInterfaceType>,
): { connectionTypes?: Record<string, ConnectionInterfaceType> } {
  const used = connectionTypeNames(plugins).flatMap((n) => {
    const type = types.get(n);
    return type ? [[n, type] as const] : [];
  });
  return used.length > 0 ? { connectionTypes: Object.fromEntries(used) } : {};
}

/** The Connection Interface Types the plugins generate or require, sorted, each once. */
export function connectionTypeNames(plugins: readonly ManifestPlugin[]): string[] {
  const names = plugins.flatMap((p) => [
    ...p.generates.map((g) => g.type),
    ...p.requires.map((r) => r.type),
  ]);
  return [...new Set(names)].sort();
}
