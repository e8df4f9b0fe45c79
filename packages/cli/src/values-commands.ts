/**
 * The CLI's shared values ({{ var.KEY }} in templates): set, list (with an environment: what its
 * templates see), show with history, delete. Secret values are never printed, not even in --json.
 */
import {
  ConfigurationError,
  SharedValueStore,
  type ResolvedSharedValue,
  type SharedValueRecord,
} from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { UsageError } from './usage-error';
import { json } from './format';
import { actor, WORKSPACE_OPTIONS } from './options';
import { iacBucket } from './run-commands';

const ACTIONS = ['set', 'list', 'show', 'delete'] as const;

const shown = (record: { value?: unknown; secret: boolean }): string =>
  record.secret ? '*** (secret)' : JSON.stringify(record.value);

/** A value for --json: without the value (nor its digest) when it is secret. */
function visible<T extends { value?: unknown; secret: boolean; digest?: string }>(
  record: T,
): Omit<T, 'value' | 'digest'> & { value?: unknown } {
  if (!record.secret) return record;
  return Object.fromEntries(
    Object.entries(record).filter(([k]) => k !== 'value' && k !== 'digest'),
  ) as Omit<T, 'value' | 'digest'>;
}

export const valuesCommand = defineCommand({
  name: 'values',
  summary: `values set <KEY> [<VALUE>] | list | show <KEY> | delete <KEY> --bucket <iac-bucket> --workspace W [--environment E]
      shared values ({{ var.KEY }}); set without VALUE reads it from stdin`,
  help: `deploy-engine values set <KEY> [<VALUE>] --bucket <iac-bucket> --workspace W [--environment E] [--secret] [--json] [--by NAME]
deploy-engine values list --bucket <iac-bucket> --workspace W [--environment E] [--json]
deploy-engine values show <KEY> --bucket <iac-bucket> --workspace W [--environment E] [--json]
deploy-engine values delete <KEY> --bucket <iac-bucket> --workspace W [--environment E] [--by NAME]

Shared values of a workspace (or of one of its environments), read by templates as {{ var.KEY }}.

  set       a new revision; without VALUE the value is read from stdin (keeps a secret off the
            command line); --secret: never printed, masked in logs; --json: the value is JSON
  list      the workspace's values; with --environment, what that environment's templates see
            (environment values over workspace values)
  show      the value, its revision and who changed it when
  delete    removes it (its history is kept)
  --json    (list, show) print {"values": [...]} / {"value": {...}}: the stored records
            (key, value, secret, revision, updatedAt, updatedBy; list --environment adds scope;
            show adds history); a secret's value is left out
  --region R  the IaC bucket's region (default AWS_REGION, else us-east-1)

Exit code: 3 when show or delete finds no such value.`,
  options: {
    ...WORKSPACE_OPTIONS,
    environment: 'value',
    secret: 'boolean',
    json: 'boolean',
    by: 'value',
  },
  parse: (args) => {
    const action = args.positional(0, 'set, list, show or delete');
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`values needs set, list, show or delete, not '${action}'.`);
    const key = args.positionals[1];
    if (action !== 'list' && key === undefined)
      throw new UsageError(`values ${action} needs a KEY.`);
    args.noMorePositionals(action === 'set' ? 3 : action === 'list' ? 1 : 2);
    const environment = args.text('environment');
    const value = action === 'set' ? args.positionals[2] : undefined;
    if (args.flag('secret') && action !== 'set')
      throw new UsageError('--secret is for values set.');
    return {
      name: 'values' as const,
      action: action as (typeof ACTIONS)[number],
      ...args.workspaceScope(),
      ...(environment ? { environment } : {}),
      ...(key !== undefined ? { key } : {}),
      /** set: the value; undefined means read it from stdin (keeps secrets off the command line). */
      ...(value !== undefined ? { value } : {}),
      secret: args.flag('secret'),
      json: args.flag('json'),
      by: actor(args.text('by')),
    };
  },
  run: async (command, io) => {
    const values = new SharedValueStore(iacBucket(command.bucket, command.region));
    const scope = {
      workspace: command.workspace,
      ...(command.environment ? { environment: command.environment } : {}),
    };
    const where = `${command.workspace}${command.environment ? `/${command.environment}` : ' (every environment)'}`;
    const key = command.key ?? '';
    switch (command.action) {
      case 'set': {
        if (command.secret && command.value !== undefined)
          io.err(
            'Warning: the secret was given on the command line, where shell history and process lists keep it; leave it off to read it from stdin.',
          );
        const raw = command.value ?? (await io.readStdin()).replace(/\r?\n$/, '');
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
        io.out(
          `Set ${key} in ${where}: revision ${record.revision}${record.secret ? ', secret' : ''}, by ${record.updatedBy}.`,
        );
        return EXIT.OK;
      }
      case 'list': {
        if (command.environment) {
          const resolved = Object.entries(
            await values.resolve(command.workspace, command.environment),
          ).sort(([a], [b]) => (a < b ? -1 : 1));
          if (command.json)
            io.out(json({ values: resolved.map(([k, v]) => ({ key: k, ...visible(v) })) }));
          else listResolved(resolved, where, (line) => io.out(line));
          return EXIT.OK;
        }
        const records = await values.list(scope);
        if (command.json) {
          io.out(json({ values: records.map(({ history: _h, ...r }) => visible(r)) }));
          return EXIT.OK;
        }
        if (records.length === 0) io.out(`No shared values in ${where}.`);
        for (const r of records)
          io.out(
            `${r.key.padEnd(28)} ${shown(r).padEnd(30)} revision ${r.revision} by ${r.updatedBy} at ${r.updatedAt}`,
          );
        return EXIT.OK;
      }
      case 'show': {
        const record = await values.get(scope, key);
        if (!record) {
          io.err(`${key} is not set in ${where}.`);
          return EXIT.NOT_FOUND;
        }
        io.out(command.json ? json({ value: visible(record) }) : describeValue(record));
        return EXIT.OK;
      }
      case 'delete': {
        const deleted = await values.delete(scope, key, { by: command.by });
        if (!deleted) {
          io.err(`${key} is not set in ${where}.`);
          return EXIT.NOT_FOUND;
        }
        io.out(`Deleted ${key} from ${where} (its history is kept).`);
        return EXIT.OK;
      }
    }
  },
});

function listResolved(
  entries: [string, ResolvedSharedValue][],
  where: string,
  out: (line: string) => void,
): void {
  if (entries.length === 0) out(`No shared values in ${where}.`);
  for (const [k, v] of entries)
    out(
      `${k.padEnd(28)} ${shown(v).padEnd(30)} ${v.scope}, revision ${v.revision} by ${v.updatedBy} at ${v.updatedAt}`,
    );
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
