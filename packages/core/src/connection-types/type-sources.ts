/**
 * Where Connection Interface Types come from: the repository's
 * `<WORKDIR>/.stk/connection-interface-types/*.yaml` and the workspace's types in the IaC bucket.
 * For one name, the repository's definition wins (a team can tighten a contract in the same pull
 * request that needs it); a differing workspace definition is reported.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError, type Problem } from '../errors';
import { readYamlFile } from '../descriptor/yaml-file';
import { canonicalJson } from '../encoding';
import { displayPath } from '../plugins';
import { keys } from '../bucket-layout';
import { PreconditionFailedError, type ObjectStore } from '../store';
import { parseConnectionType, type ConnectionInterfaceType } from './connection-type';

export const REPOSITORY_TYPES_DIR = join('.stk', 'connection-interface-types');

/** The types of the repository; a broken file is a ConfigurationError naming file and line. */
export async function readRepositoryTypes(
  repoRoot: string,
  workdir: string,
): Promise<ConnectionInterfaceType[]> {
  const dir = join(repoRoot, workdir, REPOSITORY_TYPES_DIR);
  if (!existsSync(dir)) return [];
  const problems: Problem[] = [];
  const types: ConnectionInterfaceType[] = [];
  const names = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const name of names) {
    const file = displayPath(repoRoot, join(dir, name));
    const read = await readYamlFile(join(dir, name), file);
    if (!read.yaml) {
      problems.push(...read.problems);
      continue;
    }
    const parsed = parseConnectionType(read.yaml, file);
    problems.push(...parsed.problems);
    if (!parsed.type) continue;
    const twice = types.find((t) => t.name === parsed.type?.name);
    if (twice) {
      problems.push({
        message: `Connection Interface Type ${twice.name} is defined twice (also in ${twice.source}).`,
        location: { file },
      });
    } else types.push(parsed.type);
  }
  if (problems.length > 0) {
    throw new ConfigurationError(
      problems,
      'The Connection Interface Types of the repository cannot be read',
    );
  }
  return types;
}

/** The workspace's types in the IaC bucket. */
export class ConnectionTypeStore {
  constructor(private readonly store: ObjectStore) {}

  async list(workspace: string): Promise<ConnectionInterfaceType[]> {
    const found = await this.store.list(keys.connectionInterfaceTypesPrefix(workspace));
    const types = await Promise.all(
      found.map((k) => this.store.getJson<ConnectionInterfaceType>(k)),
    );
    return types.flatMap((t) => (t ? [t.value] : [])).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Adds or replaces a type; returns whether one was replaced. */
  async put(workspace: string, type: ConnectionInterfaceType): Promise<boolean> {
    const key = keys.connectionInterfaceType(workspace, type.name);
    const current = await this.store.getJson<ConnectionInterfaceType>(key);
    try {
      await this.store.putJson(
        key,
        { ...type, source: `workspace ${workspace}` },
        current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
      );
    } catch (error) {
      if (error instanceof PreconditionFailedError) {
        throw new ConfigurationError({
          message: `Connection Interface Type ${type.name} was changed by someone else meanwhile.`,
          hint: 'Look at it again (types list) and retry.',
        });
      }
      throw error;
    }
    return current !== undefined;
  }

  async delete(workspace: string, name: string): Promise<void> {
    await this.store.delete(keys.connectionInterfaceType(workspace, name));
  }
}

/** Both sources merged, repository first; notices for workspace types it overrides differently. */
export function mergeTypes(
  repository: readonly ConnectionInterfaceType[],
  workspace: readonly ConnectionInterfaceType[],
): { types: Map<string, ConnectionInterfaceType>; notices: string[] } {
  const types = new Map<string, ConnectionInterfaceType>();
  const notices: string[] = [];
  for (const type of workspace) types.set(type.name, type);
  for (const type of repository) {
    const other = types.get(type.name);
    if (other && canonicalJson(other.attributes) !== canonicalJson(type.attributes)) {
      notices.push(
        `Connection Interface Type ${type.name}: ${type.source} differs from the one in the ${other.source}; the repository's is used.`,
      );
    }
    types.set(type.name, type);
  }
  return { types, notices };
}
