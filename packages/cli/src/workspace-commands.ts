/**
 * The CLI's workspace commands: shared values, Connection Interface Types, and a view of the
 * Connection Interfaces of an environment with who produces and who requires each.
 */
import { readFile } from 'node:fs/promises';
import {
  ConnectionTypeStore,
  ConsumerIndex,
  parseConnectionTypeText,
  SharedValueStore,
  WorkspaceContextStore,
  ConfigurationError,
  ownerOf,
  type ConnectionInterfaceInstance,
  type ConsumerRecord,
  type ObjectStore,
  type SharedValueRecord,
} from '@deploy-engine/core';
import type { Command } from './args';

type Out = (line: string) => void;

const shown = (record: { value?: unknown; secret: boolean }): string =>
  record.secret ? '*** (secret)' : JSON.stringify(record.value);

export async function runValues(
  command: Extract<Command, { name: 'values' }>,
  store: ObjectStore,
  out: Out,
  readStdin: () => Promise<string>,
): Promise<number> {
  const values = new SharedValueStore(store);
  const scope = {
    workspace: command.workspace,
    ...(command.environment ? { environment: command.environment } : {}),
  };
  const where = `${command.workspace}${command.environment ? `/${command.environment}` : ' (every environment)'}`;
  const key = command.key ?? '';
  switch (command.action) {
    case 'set': {
      if (command.secret && command.value !== undefined)
        out(
          'Warning: the secret was given on the command line, where shell history and process lists keep it; leave it off to read it from stdin.',
        );
      const raw = command.value ?? (await readStdin()).replace(/\r?\n$/, '');
      let value: unknown = raw;
      if (command.json) {
        try {
          value = JSON.parse(raw);
        } catch (error) {
          throw new ConfigurationError({
            message: `--json was given, but the value is not JSON: ${(error as Error).message}`,
          });
        }
      }
      const record = await values.set(scope, key, value, {
        secret: command.secret,
        by: command.by,
      });
      out(
        `Set ${key} in ${where}: revision ${record.revision}${record.secret ? ', secret' : ''}, by ${record.updatedBy}.`,
      );
      return 0;
    }
    case 'list': {
      if (command.environment) {
        const resolved = await values.resolve(command.workspace, command.environment);
        const entries = Object.entries(resolved);
        if (entries.length === 0) out(`No shared values in ${where}.`);
        for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : 1)))
          out(
            `${k.padEnd(28)} ${shown(v).padEnd(30)} ${v.scope}, revision ${v.revision} by ${v.updatedBy} at ${v.updatedAt}`,
          );
        return 0;
      }
      const records = await values.list(scope);
      if (records.length === 0) out(`No shared values in ${where}.`);
      for (const r of records)
        out(
          `${r.key.padEnd(28)} ${shown(r).padEnd(30)} revision ${r.revision} by ${r.updatedBy} at ${r.updatedAt}`,
        );
      return 0;
    }
    case 'show': {
      const record = await values.get(scope, key);
      if (!record) {
        out(`${key} is not set in ${where}.`);
        return 1;
      }
      out(describeValue(record));
      return 0;
    }
    case 'delete': {
      const deleted = await values.delete(scope, key, { by: command.by });
      out(
        deleted
          ? `Deleted ${key} from ${where} (its history is kept).`
          : `${key} is not set in ${where}.`,
      );
      return deleted ? 0 : 1;
    }
  }
}

function describeValue(record: SharedValueRecord): string {
  return [
    `${record.key} = ${shown(record)}`,
    `  revision ${record.revision}, by ${record.updatedBy} at ${record.updatedAt}`,
    '  history:',
    ...record.history.map(
      (h) => `    ${h.revision}. ${h.deleted ? 'deleted' : 'set'} by ${h.by} at ${h.at}`,
    ),
  ].join('\n');
}

export async function runTypes(
  command: Extract<Command, { name: 'types' }>,
  store: ObjectStore,
  out: Out,
): Promise<number> {
  const types = new ConnectionTypeStore(store);
  switch (command.action) {
    case 'put': {
      const file = command.argument ?? '';
      const parsed = parseConnectionTypeText(await readFile(file, 'utf8'), file, file);
      if (!parsed.type)
        throw new ConfigurationError(parsed.problems, `${file} is not a Connection Interface Type`);
      const replaced = await types.put(command.workspace, parsed.type);
      out(
        `${replaced ? 'Replaced' : 'Added'} Connection Interface Type ${parsed.type.name} in workspace ${command.workspace}.`,
      );
      return 0;
    }
    case 'list': {
      const list = await types.list(command.workspace);
      if (list.length === 0)
        out(`No Connection Interface Types in workspace ${command.workspace}.`);
      for (const type of list) {
        out(`${type.name}${type.description ? ` — ${type.description}` : ''}`);
        for (const a of type.attributes)
          out(
            `  ${a.name.padEnd(24)} ${a.type.padEnd(7)} ${a.required ? 'required' : 'optional'}${a.secret ? ', secret' : ''}`,
          );
      }
      return 0;
    }
    case 'delete':
      await types.delete(command.workspace, command.argument ?? '');
      out(
        `Deleted Connection Interface Type ${command.argument ?? ''} from workspace ${command.workspace}.`,
      );
      return 0;
  }
}

export async function runWorkspace(
  command: Extract<Command, { name: 'workspace' }>,
  store: ObjectStore,
  out: Out,
): Promise<number> {
  const [instances, consumers] = await Promise.all([
    new WorkspaceContextStore(store).list(command.workspace, command.environment),
    new ConsumerIndex(store).list(command.workspace, command.environment),
  ]);
  out(
    command.mermaid ? workspaceMermaid(instances, consumers) : workspaceTable(instances, consumers),
  );
  return 0;
}

const app = (t: { appKind: string; appName: string; appId: string }): string =>
  `${t.appKind}:${t.appName} (${t.appId})`;

function consumersOf(name: string, records: readonly ConsumerRecord[]): string[] {
  return records.flatMap((r) =>
    r.requires
      .filter((q) => q.name === name)
      .map((q) => `${app(r.target)} plugin ${q.alias}, input ${q.input}`),
  );
}

export function workspaceTable(
  instances: readonly ConnectionInterfaceInstance[],
  records: readonly ConsumerRecord[],
): string {
  const lines: string[] = [];
  for (const i of instances) {
    lines.push(`${i.name} (${i.type})`);
    lines.push(
      `  produced by ${app(i.producer)} plugin ${i.producer.alias}, run ${i.producer.runId}`,
    );
    const owner = ownerOf(i);
    lines.push(
      `  owned by ${app(owner)}${owner.repository ? `, repository ${owner.repository}` : ''}, since ${owner.since}${i.owner ? '' : ' (written before owners existed: its producer)'}`,
    );
    const secret = new Set(i.secretAttributes ?? []);
    lines.push(
      `  attributes: ${Object.entries(i.attributes)
        .map(([k, v]) => `${k}=${secret.has(k) ? '***' : JSON.stringify(v)}`)
        .join(', ')}`,
    );
    const users = consumersOf(i.name, records);
    lines.push(users.length > 0 ? `  required by: ${users.join('; ')}` : '  required by: nothing');
  }
  const known = new Set(instances.map((i) => i.name));
  const missing = records.flatMap((r) =>
    r.requires
      .filter((q) => !known.has(q.name))
      .map((q) => `${q.name}: required by ${app(r.target)} plugin ${q.alias}`),
  );
  if (missing.length > 0)
    lines.push('', 'Required but not produced by anything:', ...missing.map((m) => `  ${m}`));
  if (lines.length === 0) lines.push('No Connection Interfaces in this environment.');
  return lines.join('\n');
}

/** The applications of the environment and the Connection Interfaces between them (Mermaid). */
export function workspaceMermaid(
  instances: readonly ConnectionInterfaceInstance[],
  records: readonly ConsumerRecord[],
): string {
  const ids = new Map<string, string>();
  const lines = ['flowchart LR'];
  const node = (t: { appKind: string; appName: string; appId: string }): string => {
    const key = `${t.appKind}/${t.appId}`;
    let id = ids.get(key);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(key, id);
      lines.push(`  ${id}["${`${t.appKind}: ${t.appName}`.replace(/"/g, "'")}"]`);
    }
    return id;
  };
  const byName = new Map(instances.map((i) => [i.name, i]));
  for (const i of instances) node(i.producer);
  for (const r of records) node(r.target);
  let extra = 0;
  for (const i of instances) {
    const users = records.filter((r) => r.requires.some((q) => q.name === i.name));
    for (const r of users)
      if (`${r.target.appKind}/${r.target.appId}` !== `${i.producer.appKind}/${i.producer.appId}`)
        lines.push(`  ${node(i.producer)} -- "${i.name}" --> ${node(r.target)}`);
    if (users.length === 0) {
      const id = `u${extra++}`;
      lines.push(`  ${id}(["${i.name} (unused)"]):::unused`, `  ${node(i.producer)} --> ${id}`);
    }
  }
  for (const r of records) {
    for (const q of r.requires) {
      if (byName.has(q.name)) continue;
      const id = `m${extra++}`;
      lines.push(`  ${id}[/"${q.name} (missing)"/]:::missing`, `  ${id} --> ${node(r.target)}`);
    }
  }
  lines.push(
    '  classDef unused stroke-dasharray: 5 5;',
    '  classDef missing stroke:#b00,color:#b00;',
  );
  return lines.join('\n');
}
