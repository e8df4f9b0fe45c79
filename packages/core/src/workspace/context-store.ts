/**
 * The workspace context in the IaC bucket: the Connection Interface instances of a workspace and
 * environment, one object each, so deploys of different applications never rewrite each other's.
 */
import { keys } from '../runs/keys';
import type { ObjectStore } from '../store';
import type { ConnectionInterfaceInstance } from './connection-interface';

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

  async upsert(
    workspace: string,
    environment: string,
    instances: readonly ConnectionInterfaceInstance[],
  ): Promise<void> {
    for (const instance of instances) {
      await this.store.putJson(
        keys.connectionInterface(workspace, environment, instance.name),
        instance,
      );
    }
  }

  async remove(workspace: string, environment: string, names: readonly string[]): Promise<void> {
    for (const name of names)
      await this.store.delete(keys.connectionInterface(workspace, environment, name));
  }
}
