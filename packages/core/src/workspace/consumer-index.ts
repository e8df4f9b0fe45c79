/**
 * Who requires which Connection Interface, across the applications of a workspace and environment:
 * one object per application or shared infra, written when a deployment of it succeeds and removed
 * when it is destroyed. A removal or destroy reads it to refuse breaking a consumer.
 */
import { keys } from '../bucket-layout';
import type { ObjectStore } from '../store';
import { describeTarget, type DeploymentTarget } from '../target';

/** One plugin input that requires a Connection Interface instance. */
export interface Requirement {
  /** The instance name (`selected`). */
  name: string;
  type: string;
  /** The requiring plugin's alias. */
  alias: string;
  /** The input (or v2 alias) it is required under. */
  input: string;
}

/** Every required connection of these plugins (manifest plugins), as requirements. */
export function requirementsOf(
  plugins: readonly {
    alias: string;
    requires: readonly { name: string; type: string; keys: readonly string[] }[];
  }[],
): Requirement[] {
  return plugins.flatMap((p) =>
    p.requires.map((r) => ({
      name: r.name,
      type: r.type,
      alias: p.alias,
      input: r.keys[0] ?? r.name,
    })),
  );
}

export interface ConsumerRecord {
  target: DeploymentTarget;
  /** The run whose deployment this describes. */
  runId: string;
  requires: Requirement[];
  updatedAt: string;
}

export interface Consumer extends Requirement {
  target: DeploymentTarget;
}

export class ConsumerIndex {
  constructor(private readonly store: ObjectStore) {}

  async record(target: DeploymentTarget, runId: string, requires: Requirement[]): Promise<void> {
    const record: ConsumerRecord = { target, runId, requires, updatedAt: new Date().toISOString() };
    await this.store.putJson(keys.consumers(target), record);
  }

  async remove(target: DeploymentTarget): Promise<void> {
    await this.store.delete(keys.consumers(target));
  }

  /** Every application's record in the workspace and environment. */
  async list(workspace: string, environment: string): Promise<ConsumerRecord[]> {
    const found = await this.store.list(keys.consumersPrefix(workspace, environment));
    const records = await Promise.all(found.map((key) => this.store.getJson<ConsumerRecord>(key)));
    return records.flatMap((r) => (r ? [r.value] : []));
  }

  /** Every application of the workspace and environment but `except` requiring one of `names`. */
  async consumersOf(
    workspace: string,
    environment: string,
    names: ReadonlySet<string>,
    except?: DeploymentTarget,
  ): Promise<Consumer[]> {
    if (names.size === 0) return [];
    const skip = except ? keys.consumers(except) : undefined;
    const found = (await this.store.list(keys.consumersPrefix(workspace, environment))).filter(
      (key) => key !== skip,
    );
    const records = await Promise.all(found.map((key) => this.store.getJson<ConsumerRecord>(key)));
    return records.flatMap((stored) =>
      stored
        ? stored.value.requires
            .filter((r) => names.has(r.name))
            .map((r) => ({ ...r, target: stored.value.target }))
        : [],
    );
  }
}

/** `app:orders (01J…) plugin api, input topic, requires orders-topic`, for refusals. */
export function describeConsumer(consumer: Consumer): string {
  return `${describeTarget(consumer.target)} (${consumer.target.appId}): plugin ${consumer.alias}, input ${consumer.input}, requires ${consumer.name}`;
}
