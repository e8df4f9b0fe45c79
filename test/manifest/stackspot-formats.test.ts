/**
 * What StackSpot's published formats write and the manifest must read as StackSpot did: v1
 * entries (no alias, connectors), `{{ var.KEY }}` in stk.yaml values, plugin.yaml inputs-envs and
 * global-computed-inputs, and a plugin asked for at a version that is not there.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  buildManifest,
  ConfigurationError,
  MemoryLogger,
  type ResolvedSharedValue,
} from '@deploy-engine/core';

const QUEUE_V1 = `schema-version: v1
kind: plugin
metadata: { name: queue, version: 1.0.0 }
spec:
  type: infra
  generates:
    connection-interface: [queue-conn]
  inputs:
    - { label: Name, name: queue_name, type: text, required: true }
`;
const WORKER = `schema-version: v3
kind: plugin
metadata: { name: worker, version: 2.0.0 }
spec:
  type: infra
  inputs:
    - { name: worker_name, type: text, required: true }
    - { name: source, type: required-connection, connection-interface-type: queue-conn }
  inputs-envs:
    - { label: Region, name: region, type: text, required: true }
  global-computed-inputs:
    worker_tag: '{{ worker_name }}-{{ region }}'
`;
/** Requires and generates the same type: a v1 connector cannot say which it is. */
const RELAY = `schema-version: v3
kind: plugin
metadata: { name: relay, version: 1.0.0 }
spec:
  type: infra
  inputs:
    - { name: upstream, type: required-connection, connection-interface-type: queue-conn }
    - { name: out, type: generated-connection, connection-interface-type: queue-conn }
`;

/** Computed inputs see stk_env and the templates' collision rule. */
const NAMER = `schema-version: v3
kind: plugin
metadata: { name: namer, version: 1.0.0 }
spec:
  type: infra
  inputs:
    - { name: environment, type: text, required: true }
  computed-inputs:
    full: '{{ environment }}/{{ stk_env }}/{{ inputs.stk_env }}/{{ deploy_engine.environment }}'
`;

function repo(stk: string): string {
  const root = mkdtempSync(join(tmpdir(), 'stk-formats-'));
  mkdirSync(join(root, '.stk'), { recursive: true });
  writeFileSync(join(root, '.stk', 'stk.yaml'), stk);
  for (const [name, yaml] of Object.entries({
    queue: QUEUE_V1,
    worker: WORKER,
    relay: RELAY,
    namer: NAMER,
  })) {
    mkdirSync(join(root, 'plugins', name, 'templates-deploy'), { recursive: true });
    writeFileSync(join(root, 'plugins', name, 'plugin.yaml'), yaml);
    writeFileSync(join(root, 'plugins', name, 'templates-deploy', 'main.tf'), '# empty\n');
  }
  return root;
}

function shared(
  values: Record<string, unknown>,
  secret: string[] = [],
): Record<string, ResolvedSharedValue> {
  return Object.fromEntries(
    Object.entries(values).flatMap(([key, value]) =>
      value === undefined
        ? []
        : [
            [
              key,
              {
                value,
                secret: secret.includes(key),
                scope: 'workspace' as const,
                revision: 1,
                updatedAt: '2026-12-01T00:00:00.000Z',
                updatedBy: 'tester',
                digest: createHash('sha256').update(JSON.stringify(value)).digest('hex'),
              },
            ],
          ],
    ),
  );
}

function build(
  root: string,
  extra: { environment?: string; sharedValues?: Record<string, ResolvedSharedValue> } = {},
  logger = new MemoryLogger(),
) {
  return buildManifest({
    repoRoot: root,
    workdir: '.',
    pluginDirs: [join(root, 'plugins')],
    workspace: 'w',
    environment: extra.environment ?? 'dev',
    version: 'v1',
    dynamicInputs: {},
    connectionInterfaces: [],
    logger,
    ...(extra.sharedValues ? { sharedValues: extra.sharedValues } : {}),
  });
}

async function problems(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigurationError)
      return error.problems.map(
        (p) => `${p.location?.file ?? '?'}:${p.location?.line ?? '-'} ${p.message}`,
      );
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

const v1 = (plugins: string, extra = '') =>
  `schema-version: v1\nkind: manifest\nmetadata: { name: app }\nspec:\n  type: app\n  app-id: APP1\n  plugins:\n${plugins}${extra}`;
const queueEntry = (connector = 'orders-queue', alias = '') =>
  `    - name: acme/stack@1.0.0/queue@1.0.0\n${alias}      type: infra\n      inputs: { queue_name: orders }\n      connectors:\n        - { name: ${connector}, type: queue-conn }\n`;
const workerEntry = (inputs = 'worker_name: billing', envs = '{ region: { dev: us-east-1 } }') =>
  `    - name: acme/stack@1.0.0/worker@2.0.0\n      type: infra\n      inputs:\n        ${inputs}\n        queue_conn__CONNECTOR: orders-queue\n      inputs-envs: ${envs}\n`;

describe('stk.yaml schema-version v1', () => {
  it('derives each alias from the plugin name and places connectors as plugin.yaml declares them', async () => {
    const logger = new MemoryLogger();
    const manifest = await build(repo(v1(queueEntry() + workerEntry())), {}, logger);
    expect(manifest.plugins.map((p) => p.alias)).toEqual(['queue', 'worker']);
    expect(logger.messages('info')).toContain(
      '.stk/stk.yaml (schema-version v1) names no aliases; derived from the plugin names: acme/stack@1.0.0/queue@1.0.0 -> queue, acme/stack@1.0.0/worker@2.0.0 -> worker.',
    );
    expect(manifest.plugins[0]?.generates).toEqual([
      { key: 'queue-conn', name: 'orders-queue', type: 'queue-conn', outputs: [] },
    ]);
    expect(manifest.plugins[1]?.requires).toEqual([
      expect.objectContaining({
        keys: ['source', 'orders-queue'],
        from: { kind: 'plugin', alias: 'queue' },
      }),
    ]);
    expect(manifest.deployOrder).toEqual(['queue', 'worker']);
  });

  it('keeps the derived alias when the plugin version changes, so its state is found again', async () => {
    const before = await build(repo(v1(queueEntry())));
    const after = await build(
      repo(
        v1(
          queueEntry().replace('queue@1.0.0', 'queue@1.0.0').replace('stack@1.0.0', 'stack@9.9.9'),
        ),
      ),
    );
    expect(after.plugins[0]?.alias).toBe(before.plugins[0]?.alias);
  });

  it('refuses two entries of one plugin without an alias, naming both and what to add', async () => {
    const root = repo(v1(queueEntry('a-queue') + queueEntry('b-queue')));
    expect(await problems(build(root))).toEqual([
      ".stk/stk.yaml:13 Plugin 2 (acme/stack@1.0.0/queue@1.0.0) has no alias, and the one derived from its plugin name, 'queue', is already used by plugin 1.",
    ]);
  });

  it('accepts an explicit alias on a v1 entry', async () => {
    const root = repo(v1(queueEntry('a-queue') + queueEntry('b-queue', '      alias: second\n')));
    expect((await build(root)).plugins.map((p) => p.alias)).toEqual(['queue', 'second']);
  });

  it('refuses a connector whose type the plugin neither requires nor generates, or declares twice', async () => {
    const root = repo(
      v1(
        `    - name: acme/queue@1.0.0\n      type: infra\n      inputs: { queue_name: q }\n      connectors: [{ name: x, type: topic-conn }]\n` +
          `    - name: acme/relay@1.0.0\n      type: infra\n      connectors: [{ name: y, type: queue-conn }]\n`,
      ),
    );
    expect(await problems(build(root))).toEqual([
      '.stk/stk.yaml:11 Plugin queue has connector x of type topic-conn, but plugins/queue/plugin.yaml neither requires nor generates that type (it requires: none; generates: queue-conn).',
      '.stk/stk.yaml:14 Plugin relay has connector y of type queue-conn, and plugins/relay/plugin.yaml declares 2 connections of that type (generates out, requires upstream): a v1 connector cannot say which.',
      ".stk/stk.yaml:12 Plugin relay requires a queue-conn connection 'upstream', but stk.yaml selects none.",
    ]);
  });
});

describe('plugin.yaml inputs-envs', () => {
  it('refuses a required per-environment input without a value for the environment, naming plugin, input and environment', async () => {
    const root = repo(v1(queueEntry() + workerEntry()));
    expect(await problems(build(root, { environment: 'prod' }))).toEqual([
      ".stk/stk.yaml:18 Input region of plugin worker is declared per environment (spec.inputs-envs of plugin.yaml) and required, but has no value for environment 'prod'.",
    ]);
  });

  it('names the plugin entry when stk.yaml has no inputs-envs for it at all', async () => {
    const root = repo(v1(queueEntry() + workerEntry('worker_name: billing', '{}')));
    expect(await problems(build(root))).toEqual([
      ".stk/stk.yaml:13 Input region of plugin worker is declared per environment (spec.inputs-envs of plugin.yaml) and required, but has no value for environment 'dev'.",
    ]);
  });

  it("takes the environment's value over the plugin's inputs", async () => {
    const root = repo(
      v1(queueEntry() + workerEntry('worker_name: billing\n        region: eu-west-1')),
    );
    const worker = (await build(root)).plugins[1];
    expect(worker?.inputs.region).toBe('us-east-1');
    expect((await build(root, { environment: 'stg' })).plugins[1]?.inputs.region).toBe('eu-west-1');
  });
});

describe('plugin.yaml global-computed-inputs', () => {
  it("are computed from their plugin's inputs and given to every plugin of the application", async () => {
    const manifest = await build(repo(v1(queueEntry() + workerEntry())));
    expect(manifest.plugins.map((p) => p.inputs.worker_tag)).toEqual([
      'billing-us-east-1',
      'billing-us-east-1',
    ]);
  });
});

describe('computed inputs', () => {
  it('see stk_env as templates do, and an input named like an engine variable wins over it', async () => {
    const stk = `schema-version: v2\nkind: manifest\nmetadata: { name: app }\nspec:\n  type: app\n  app-id: APP1\n  plugins:\n    - name: acme/namer@1.0.0\n      alias: namer\n      type: infra\n      inputs: { environment: blue }\n`;
    const manifest = await build(repo(stk), { environment: 'prod' });
    expect(manifest.plugins[0]?.inputs.full).toBe('blue/prod/prod/prod');
  });
});

describe('{{ var.KEY }} in stk.yaml values', () => {
  const withVars = v1(
    queueEntry().replace('queue_name: orders', "queue_name: '{{var.QUEUE}}'") +
      workerEntry(
        "worker_name: 'w-{{ var.PREFIX }}-1 {{ other }}'",
        "{ region: { dev: '{{ var.REGION }}', prod: '{{ var.NOT_SET }}' } }",
      ),
    "  global-inputs:\n    team: '{{ var.TEAM }}'\n",
  );
  const values = { QUEUE: 'orders', PREFIX: 'acme', REGION: 'us-east-2', TEAM: 7 };

  it('are filled from the shared values before the manifest is built, text around kept, other Jinja literal', async () => {
    const manifest = await build(repo(withVars), { sharedValues: shared(values) });
    const [queue, worker] = manifest.plugins;
    expect(queue?.inputs).toMatchObject({ queue_name: 'orders', team: 7 });
    expect(worker?.inputs).toMatchObject({
      worker_name: 'w-acme-1 {{ other }}',
      region: 'us-east-2',
    });
  });

  it('are recorded per plugin by digest, like the keys templates read, never by value', async () => {
    const manifest = await build(repo(withVars), { sharedValues: shared(values) });
    // The queue also reads the worker's global computed input, made of PREFIX and REGION.
    expect(manifest.plugins[0]?.sharedValues).toEqual(['PREFIX', 'QUEUE', 'REGION', 'TEAM']);
    expect(manifest.plugins[1]?.sharedValues).toEqual(['PREFIX', 'REGION', 'TEAM']);
    expect(Object.keys(manifest.sharedValues ?? {})).toEqual(['PREFIX', 'QUEUE', 'REGION', 'TEAM']);
    expect(JSON.stringify(manifest.sharedValues)).not.toContain('us-east-2');
    const changed = await build(repo(withVars), {
      sharedValues: shared({ ...values, REGION: 'sa-east-1' }),
    });
    expect(changed.plugins[1]?.digest).not.toBe(manifest.plugins[1]?.digest);
    // The queue reads the worker's global computed input, which reads the region.
    expect(changed.plugins[0]?.inputs.worker_tag).toBe('w-acme-1 {{ other }}-sa-east-1');
  });

  it('refuses an undefined key, naming the file, line and key, and how to set it', async () => {
    const root = repo(withVars);
    const found = await problems(
      build(root, { sharedValues: shared({ ...values, PREFIX: undefined }) }),
    );
    expect(found).toEqual([
      '.stk/stk.yaml:16 .stk/stk.yaml reads shared value PREFIX ({{ var.PREFIX }}), which is not set in workspace w for environment dev.',
    ]);
    const withoutAny = await problems(build(root));
    expect(withoutAny).toHaveLength(4);
  });

  it('refuses a secret shared value: it would be recorded in the run and shown in plans', async () => {
    const logger = new MemoryLogger();
    const error = await build(
      repo(withVars),
      { sharedValues: shared({ ...values, REGION: 'top-secret-region' }, ['REGION']) },
      logger,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    const text = JSON.stringify((error as ConfigurationError).problems);
    expect(text).toContain('reads secret shared value REGION');
    expect(text).toContain('"line":18');
    expect(text).not.toContain('top-secret-region');
    expect(JSON.stringify(logger.messages('warning'))).not.toContain('top-secret-region');
  });
});

describe('a plugin not found at the requested version', () => {
  it('lists the versions of that plugin that are there, and where', async () => {
    const root = repo(v1(queueEntry().replace('queue@1.0.0', 'queue@3.0.0')));
    expect(await problems(build(root))).toEqual([
      '.stk/stk.yaml:8 Plugin acme/stack@1.0.0/queue@3.0.0 (alias queue) was not found at version 3.0.0; queue is there at version 1.0.0 (plugins/queue). Looked in: .stk/FORKED_PLUGINS/queue, plugins.',
    ]);
  });
});
