/**
 * The deployment manifest: everything a run needs to know about an application, resolved and
 * ordered, as plain JSON data. Same inputs give byte-identical JSON (see canonicalJson).
 */
import type { Logger } from '../logging';
import type { RuntimeTerraform } from '../plugins/runtime-environment';
import type { RemotePlugins } from '../plugins/locate-plugin';
import type { ConnectionInterfaceType } from '../connection-types/connection-type';
import type {
  ConnectionInterfaceInstance,
  DeployingRepository,
  ResolvedSharedValue,
} from '../workspace';
import type { DeploymentTarget } from '../target';

export interface Manifest {
  schemaVersion: 1;
  target: DeploymentTarget;
  version: string;
  /** Every plugin of stk.yaml in file order, app plugins included. */
  plugins: ManifestPlugin[];
  /** Aliases of the infra plugins, producers before consumers. */
  deployOrder: string[];
  /** Plugins of the last deployment that left stk.yaml, consumers before producers. */
  destroy: ManifestPlugin[];
  /**
   * A rollback's manifest is the one recorded for an earlier version tag; its plugins are not
   * rendered again but deployed from the IaC recorded then (object keys in the IaC bucket).
   */
  rollback?: RollbackSource;
  /**
   * The shared values the plugins' templates read, as they were when the run was planned (no
   * values: secrets stay in their own objects). A value changed before apply is refused.
   */
  sharedValues?: Record<string, Omit<ResolvedSharedValue, 'value'>>;
  /**
   * CHECKOUT_BRANCH: the repository's files are linked into every project as `repodir/`; their
   * digest when the run was planned.
   */
  repositoryFiles?: { digest: string; files: number; bytes: number };
  /** The repository and workflow the run came from (owner of what it publishes). */
  deployedFrom?: DeployingRepository;
  /** The known Connection Interface Types the plugins generate or require, by name. */
  connectionTypes?: Record<string, ConnectionInterfaceType>;
  /**
   * The Terraform version each infra plugin (kept or removed) runs with in this run, chosen when
   * the run was opened (its runtime environment, or TERRAFORM_VERSION); a plugin not listed runs
   * with the job's own Terraform. The apply job uses these, so a saved plan meets its version.
   */
  terraformVersions?: Record<string, string>;
  digest: string;
}

export interface RollbackSource {
  /** The version tag rolled back to. */
  version: string;
  /** The run that deployed it. */
  runId: string;
  finishedAt: string;
  /** Per plugin alias: the object key of the IaC it deployed, and its digest. */
  iac: Record<string, { key: string; digest: string }>;
  /** Aliases deployed since that version, destroyed by the rollback. */
  added: string[];
  /** Aliases removed since that version, created again by the rollback. */
  recreated: string[];
}

export interface ManifestPlugin {
  alias: string;
  /** The `name` in stk.yaml. */
  ref: string;
  name: string;
  version: string;
  type: 'app' | 'infra';
  source?: { kind: 'forked' | 'plugin-dir' | 'registry'; dir: string; displayDir: string };
  /** Display path of plugin.yaml. */
  pluginFile?: string;
  /** The Terraform its plugin.yaml's `spec.runtime.environment` names. */
  terraform?: RuntimeTerraform;
  /** Resolved inputs, computed inputs included, connection inputs excluded. */
  inputs: Record<string, unknown>;
  requires: RequiredConnection[];
  generates: GeneratedConnection[];
  /** Aliases of the plugins of this manifest it requires a connection from. */
  dependsOn: string[];
  /** Shared value keys its templates read (`var.KEY`); with sharedValuesAll, every key. */
  sharedValues?: string[];
  sharedValuesAll?: boolean;
  /** Over resolved inputs, required connection values and every file of the plugin. */
  digest: string;
}

export interface RequiredConnection {
  /** Names templates may use under `connections`: input name or v2 alias, and the instance name. */
  keys: string[];
  /** The Connection Interface instance name (`selected`). */
  name: string;
  type: string;
  from:
    | { kind: 'plugin'; alias: string }
    | {
        kind: 'context';
        attributes: Record<string, unknown>;
        producer: ConnectionInterfaceInstance['producer'];
      };
}

export interface GeneratedConnection {
  /** The v3 input name or the v2 generates alias. */
  key: string;
  /** The instance name (`selected`). */
  name: string;
  type: string;
  outputs: { from: string; to: string }[];
}

export interface BuildManifestOptions {
  /** The checked-out repository (PATH_TO_MOUNT). */
  repoRoot: string;
  /** The folder holding `.stk/`, relative to repoRoot (WORKDIR). */
  workdir: string;
  /** Folders of plugins (PLUGINS_PATH), absolute. */
  pluginDirs: string[];
  /** The plugin registry of the IaC bucket, looked in after the checkout (see ../registry). */
  registry?: RemotePlugins;
  workspace: string;
  environment: string;
  version: string;
  dynamicInputs: Record<string, string>;
  /** The workspace context: the instances stk.yaml requires that exist in the workspace and environment. */
  connectionInterfaces: ConnectionInterfaceInstance[];
  /** The manifest of the last successful deployment, to find removed plugins. */
  previous?: Manifest;
  /** The workspace's shared values for this environment (`var.KEY` in templates). */
  sharedValues?: Record<string, ResolvedSharedValue>;
  /** Known Connection Interface Types (repository and workspace), by name. */
  connectionTypes?: ReadonlyMap<string, ConnectionInterfaceType>;
  logger: Logger;
}
