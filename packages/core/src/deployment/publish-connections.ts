/**
 * After a plugin is applied: its Connection Interfaces are published in the workspace context, as
 * this application's (conditional writes, see WorkspaceContextStore.publish), with every attribute
 * that must not be printed recorded in `secretAttributes`: those its type marks secret and those
 * whose Terraform output is `sensitive`, so consumers mask them as well.
 */
import { ConfigurationError } from '../errors';
import { secretAttributes } from '../connection-types';
import type { Manifest, ManifestPlugin } from '../manifest';
import type { OutputValue } from '../terraform';
import type { ConnectionInterfaceInstance, WorkspaceContextStore } from '../workspace';
import { mapOutputsToConnections } from './connection-outputs';

/**
 * Maps `outputs` to the plugin's generated instances, registers their secret values with `mask`
 * before anything can print them, and publishes them; returns what was published.
 */
export async function publishConnections(
  deps: { context: WorkspaceContextStore },
  manifest: Manifest,
  plugin: ManifestPlugin,
  outputs: Record<string, OutputValue>,
  run: { runId: string; mask: (value: unknown) => void },
): Promise<ConnectionInterfaceInstance[]> {
  const { target } = manifest;
  const { appKind, appId, appName } = target;
  const mapped = mapOutputsToConnections(
    plugin.generates,
    outputs,
    { appKind, appId, appName, alias: plugin.alias, runId: run.runId },
    new Date(),
    plugin.pluginFile ?? plugin.alias,
  );
  if (mapped.problems.length > 0) throw new ConfigurationError(mapped.problems);
  for (const instance of mapped.instances) {
    const secret = [
      ...new Set([
        ...secretAttributes(manifest.connectionTypes?.[instance.type]),
        ...(mapped.sensitive[instance.name] ?? []),
      ]),
    ].sort();
    if (secret.length === 0) continue;
    instance.secretAttributes = secret;
    for (const name of secret) run.mask(instance.attributes[name]);
  }
  if (mapped.instances.length === 0) return [];
  const repository = manifest.deployedFrom?.repository;
  return deps.context.publish(target, mapped.instances, repository ? { repository } : {});
}
