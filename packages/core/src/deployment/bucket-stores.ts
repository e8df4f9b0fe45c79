/**
 * The stores over the IaC bucket, one per kind of object (runs, workspace context, history,
 * shared values, bindings, connection types, the plugin registry): what a run reads and writes,
 * built once per step.
 */
import { ConnectionTypeStore } from '../connection-types';
import type { Logger } from '../logging';
import { PluginRegistry } from '../registry/plugin-registry';
import { RunStore, type RunStoreOptions } from '../runs';
import type { ObjectStore } from '../store';
import {
  AppBindingStore,
  ConsumerIndex,
  DeploymentHistory,
  SharedValueStore,
  WorkspaceContextStore,
} from '../workspace';

export interface BucketStores {
  runs: RunStore;
  /** The IaC bucket itself, to read the IaC a previous run recorded (destroy, rollback). */
  iacStore: ObjectStore;
  context: WorkspaceContextStore;
  history: DeploymentHistory;
  consumers: ConsumerIndex;
  sharedValues: SharedValueStore;
  /** Which repository each application id of a workspace is deployed from. */
  bindings: AppBindingStore;
  connectionTypes: ConnectionTypeStore;
  /** Published plugins (`plugins/`), looked in after the checkout; none: the checkout only. */
  pluginRegistry?: PluginRegistry;
  logger: Logger;
}

/**
 * Every store over `iacStore` (the IaC bucket, in `region`). `runOptions`: the run store's
 * heartbeat settings (a pool's workers derive them from their lease).
 */
export function openBucketStores(
  iacStore: ObjectStore,
  logger: Logger,
  region: string,
  runOptions: Pick<RunStoreOptions, 'heartbeat'> = {},
): BucketStores {
  return {
    runs: new RunStore(iacStore, logger, { ...runOptions, region }),
    iacStore,
    context: new WorkspaceContextStore(iacStore),
    history: new DeploymentHistory(iacStore),
    consumers: new ConsumerIndex(iacStore),
    sharedValues: new SharedValueStore(iacStore),
    bindings: new AppBindingStore(iacStore),
    connectionTypes: new ConnectionTypeStore(iacStore),
    pluginRegistry: new PluginRegistry(iacStore),
    logger,
  };
}
