/**
 * The CLI's workspace commands: Connection Interface Types, and a view of the Connection
 * Interfaces of an environment with who produces and who requires each (shared values are in
 * values-commands.ts).
 */
import { readFile } from 'node:fs/promises';
import {
  ConnectionTypeStore,
  ConsumerIndex,
  parseConnectionTypeText,
  WorkspaceContextStore,
  ConfigurationError,
  ownerOf,
  type ConnectionInterfaceInstance,
  type ConsumerRecord,
} from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { UsageError } from './usage-error';
import { json } from './format';
import { WORKSPACE_OPTIONS } from './options';
import { iacBucket } from './run-commands';

function typesAction(text: string): 'put' | 'list' | 'delete' {
  if (text === 'put' || text === 'list' || text === 'delete') return text;
  throw new UsageError(`types needs put, list or delete, not '${text}'.`);
}

export const typesCommand = defineCommand({
  name: 'types',
  summary: `types put <file.yaml> | list | delete <NAME> --bucket <iac-bucket> --workspace W [--json]
      the workspace's Connection Interface Types`,
  help: `deploy-engine types put <file.yaml> --bucket <iac-bucket> --workspace W [--region R]
deploy-engine types list --bucket <iac-bucket> --workspace W [--region R] [--json]
deploy-engine types delete <NAME> --bucket <iac-bucket> --workspace W [--region R]

The workspace's Connection Interface Types (what a plugin's connection inputs and outputs
must look like). put adds or replaces one from a YAML file.

  --json   (list) print {"types": [{"name", "description", "attributes": [{"name", "type",
           "required", "secret", ...}]}, ...]}`,
  options: { ...WORKSPACE_OPTIONS, json: 'boolean' },
  parse: (args) => {
    const action = typesAction(args.positional(0, 'put, list or delete'));
    const argument = args.positionals[1];
    if (action !== 'list' && argument === undefined)
      throw new UsageError(`types ${action} needs ${action === 'put' ? 'a file' : 'a type name'}.`);
    args.noMorePositionals(action === 'list' ? 1 : 2);
    return {
      name: 'types' as const,
      action,
      ...args.workspaceScope(),
      /** put: the YAML file; delete: the type name. */
      ...(argument !== undefined ? { argument } : {}),
      json: args.flag('json'),
    };
  },
  run: async (command, io) => {
    const types = new ConnectionTypeStore(iacBucket(command.bucket, command.region));
    switch (command.action) {
      case 'put': {
        const file = command.argument ?? '';
        const parsed = parseConnectionTypeText(await readFile(file, 'utf8'), file, file);
        if (!parsed.type)
          throw new ConfigurationError(
            parsed.problems,
            `${file} is not a Connection Interface Type`,
          );
        const replaced = await types.put(command.workspace, parsed.type);
        io.out(
          `${replaced ? 'Replaced' : 'Added'} Connection Interface Type ${parsed.type.name} in workspace ${command.workspace}.`,
        );
        return EXIT.OK;
      }
      case 'list': {
        const list = await types.list(command.workspace);
        if (command.json) {
          io.out(json({ types: list }));
          return EXIT.OK;
        }
        if (list.length === 0)
          io.out(`No Connection Interface Types in workspace ${command.workspace}.`);
        for (const type of list) {
          io.out(`${type.name}${type.description ? ` — ${type.description}` : ''}`);
          for (const a of type.attributes)
            io.out(
              `  ${a.name.padEnd(24)} ${a.type.padEnd(7)} ${a.required ? 'required' : 'optional'}${a.secret ? ', secret' : ''}`,
            );
        }
        return EXIT.OK;
      }
      case 'delete':
        await types.delete(command.workspace, command.argument ?? '');
        io.out(
          `Deleted Connection Interface Type ${command.argument ?? ''} from workspace ${command.workspace}.`,
        );
        return EXIT.OK;
    }
  },
});

export const workspaceCommand = defineCommand({
  name: 'workspace',
  summary: `workspace --bucket <iac-bucket> --workspace W --environment E [--mermaid | --json]
      Connection Interfaces with producer and consumers; --mermaid: the graph`,
  help: `deploy-engine workspace --bucket <iac-bucket> --workspace W --environment E [--region R] [--mermaid | --json]

The Connection Interfaces of an environment: each with its type, producer, owner, attributes
(secret ones as ***) and the applications that require it; then what is required but produced
by nothing.

  --mermaid   the same as a Mermaid flowchart
  --json      print {"interfaces": [<instance>, ...], "consumers": [<consumer record>, ...]}
              with secret attribute values replaced by "***"`,
  options: { ...WORKSPACE_OPTIONS, environment: 'value', mermaid: 'boolean', json: 'boolean' },
  parse: (args) => {
    args.noMorePositionals(0);
    if (args.flag('mermaid') && args.flag('json'))
      throw new UsageError('workspace takes --mermaid or --json, not both.');
    return {
      name: 'workspace' as const,
      ...args.workspaceScope(),
      environment: args.text('environment', true),
      mermaid: args.flag('mermaid'),
      json: args.flag('json'),
    };
  },
  run: async (command, io) => {
    const store = iacBucket(command.bucket, command.region);
    const [instances, consumers] = await Promise.all([
      new WorkspaceContextStore(store).list(command.workspace, command.environment),
      new ConsumerIndex(store).list(command.workspace, command.environment),
    ]);
    io.out(
      command.json
        ? json({ interfaces: instances.map(withoutSecrets), consumers })
        : command.mermaid
          ? workspaceMermaid(instances, consumers)
          : workspaceTable(instances, consumers),
    );
    return EXIT.OK;
  },
});

/** An instance with its secret attributes' values replaced by "***". */
function withoutSecrets(instance: ConnectionInterfaceInstance): ConnectionInterfaceInstance {
  const secret = new Set(instance.secretAttributes ?? []);
  return {
    ...instance,
    attributes: Object.fromEntries(
      Object.entries(instance.attributes).map(([k, v]) => [k, secret.has(k) ? '***' : v]),
    ),
  };
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
