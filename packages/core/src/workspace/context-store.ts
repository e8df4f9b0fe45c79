/**
 * The workspace context in the IaC bucket: the Connection Interface instances of a workspace and
 * environment, one object each, so deploys of different applications never rewrite each other's.
 * Each instance has an owner (see interface-owner.ts): writes and removals are conditional on it.
 */
import { ExternalError } from '../errors';
import { keys } from '../bucket-layout';
import { PreconditionFailedError, type ObjectStore } from '../store';
import type { ConnectionInterfaceInstance, InterfaceOwner } from './connection-interface';
import { ownedBy, ownedElsewhereError, ownerOf } from './interface-owner';
import type { DeploymentTarget } from '../target';

export class WorkspaceContextStore {
  constructor(private readonly store: ObjectStore) {}

  async list(workspace: string, environment: string): Promise<ConnectionInterfaceInstance[]> {
    const found = await this.store.list(keys.connectionInterfaces(workspace, environment));
    const instances = await Promise.all(
      found.map((key) => this.store.getJson<ConnectionInterfaceInstance>(key)),
    );
    return instances
      .flatMap((i) => (i ? [i.value] : []))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** One instance by name: a single read, whatever the size of the workspace. */
  async get(
    workspace: string,
    environment: string,
    name: string,
  ): Promise<ConnectionInterfaceInstance | undefined> {
    return (
      await this.store.getJson<ConnectionInterfaceInstance>(
        keys.connectionInterface(workspace, environment, name),
      )
    )?.value;
  }

  /**
   * The instances of these names that exist, by name: one read each, all at once, whatever the
   * size of the workspace.
   */
  async getMany(
    workspace: string,
    environment: string,
    names: Iterable<string>,
  ): Promise<Map<string, ConnectionInterfaceInstance>> {
    const found = await Promise.all(
      [...new Set(names)].map((name) => this.get(workspace, environment, name)),
    );
    return new Map(found.flatMap((i) => (i ? [[i.name, i] as const] : [])));
  }

  /**
   * Publishes instances a deployment of `target` generated. Each write is conditional: a new
   * instance is created only if absent (If-None-Match), an existing one replaced only if it is
   * still the version read (If-Match) and owned by `target`. So two applications racing for a
   * name can never both publish it: the loser re-reads and is refused naming the owner.
   */
  async publish(
    target: DeploymentTarget,
    instances: readonly ConnectionInterfaceInstance[],
    options: { repository?: string; now?: Date } = {},
  ): Promise<ConnectionInterfaceInstance[]> {
    const published: ConnectionInterfaceInstance[] = [];
    for (const instance of instances) {
      published.push(await this.publishOne(target, instance, options));
    }
    return published;
  }

  private async publishOne(
    target: DeploymentTarget,
    instance: ConnectionInterfaceInstance,
    options: { repository?: string; now?: Date },
  ): Promise<ConnectionInterfaceInstance> {
    const key = keys.connectionInterface(target.workspace, target.environment, instance.name);
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.store.getJson<ConnectionInterfaceInstance>(key);
      const before = current ? ownerOf(current.value) : undefined;
      if (before && !ownedBy(before, target)) {
        throw ownedElsewhereError(
          instance.name,
          before,
          target,
          "It was not published: the deployed resources stay, and the consumers keep the owner's values.",
        );
      }
      const { appKind, appId, appName } = target;
      const repository = options.repository ?? before?.repository;
      const owner: InterfaceOwner = {
        appKind,
        appId,
        appName,
        ...(repository ? { repository } : {}),
        since: before?.since ?? (options.now ?? new Date()).toISOString(),
      };
      const record: ConnectionInterfaceInstance = { ...instance, owner };
      try {
        await this.store.putJson(
          key,
          record,
          current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
        );
        return record;
      } catch (error) {
        // Changed since read (or our own write whose answer was lost): read again and decide.
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new ExternalError(
      `Connection Interface ${instance.name} kept changing while it was being published; run the deployment again.`,
      { retryable: true },
    );
  }

  /**
   * Removes the instances of these names that `target` owns (a destroy of the plugin that
   * generates them); one owned by another application is left alone and returned.
   */
  async removeOwned(target: DeploymentTarget, names: readonly string[]): Promise<string[]> {
    const foreign: string[] = [];
    for (const name of names) {
      const key = keys.connectionInterface(target.workspace, target.environment, name);
      for (let attempt = 0; ; attempt++) {
        const current = await this.store.getJson<ConnectionInterfaceInstance>(key);
        if (!current) break;
        if (!ownedBy(ownerOf(current.value), target)) {
          foreign.push(name);
          break;
        }
        try {
          await this.store.delete(key, { ifMatch: current.etag });
          break;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError) || attempt >= 7) throw error;
        }
      }
    }
    return foreign;
  }
}
