/**
 * Bad input gets a clear error naming the file and line, every problem at once, and nothing else.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildManifest,
  ConfigurationError,
  MemoryLogger,
  type Manifest,
} from '@deploy-engine/core';

const BUCKET_PLUGIN = `schema-version: v3
kind: plugin
metadata: { name: bucket, version: 1.0.0 }
spec:
  type: infra
  inputs:
    - { name: bucket_name, type: text, required: true, pattern: '[a-z]+' }
    - { name: size, type: int, default: 1 }
    - { name: tier, type: select, items: [standard, premium] }
    - { name: versioned, type: bool }
    - { name: out, type: generated-connection, connection-interface-type: bucket-conn, outputs: [{ from: arn, to: arn }] }
`;
const LINK_PLUGIN = `schema-version: v3
kind: plugin
metadata: { name: link, version: 1.0.0 }
spec:
  type: infra
  inputs:
    - { name: upstream, type: required-connection, connection-interface-type: bucket-conn }
    - { name: out, type: generated-connection, connection-interface-type: bucket-conn, outputs: [{ from: arn, to: arn }] }
`;

function repo(
  stk: string,
  plugins: Record<string, string> = { bucket: BUCKET_PLUGIN, link: LINK_PLUGIN },
): string {
  const root = mkdtempSync(join(tmpdir(), 'manifest-errors-'));
  mkdirSync(join(root, '.stk'), { recursive: true });
  writeFileSync(join(root, '.stk', 'stk.yaml'), stk);
  for (const [name, yaml] of Object.entries(plugins)) {
    mkdirSync(join(root, 'plugins', name, 'templates-deploy'), { recursive: true });
    writeFileSync(join(root, 'plugins', name, 'plugin.yaml'), yaml);
    writeFileSync(join(root, 'plugins', name, 'templates-deploy', 'main.tf'), '# empty\n');
  }
  return root;
}

function build(
  root: string,
  extra: { previous?: Manifest; dynamicInputs?: Record<string, string> } = {},
) {
  return buildManifest({
    repoRoot: root,
    workdir: '.',
    pluginDirs: [join(root, 'plugins')],
    workspace: 'w',
    environment: 'dev',
    version: 'v1',
    dynamicInputs: extra.dynamicInputs ?? {},
    connectionInterfaces: [],
    logger: new MemoryLogger(),
    ...(extra.previous ? { previous: extra.previous } : {}),
  });
}

async function problems(root: string): Promise<string[]> {
  try {
    await build(root);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error.problems.map(
        (p) => `${p.location?.file ?? '?'}:${p.location?.line ?? '-'} ${p.message}`,
      );
    }
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

const header =
  'schema-version: v3\nkind: manifest\nmetadata: { name: app }\nspec:\n  type: app\n  app-id: APP1\n  plugins:\n';
const bucket = (alias: string, inputs = 'bucket_name: data') =>
  `    - name: acme/bucket@1.0.0\n      alias: ${alias}\n      type: infra\n      inputs:\n        ${inputs}\n`;
const link = (alias: string, from: string, selected: string) =>
  `    - name: acme/link@1.0.0\n      alias: ${alias}\n      type: infra\n      inputs:\n        upstream: { stk-type: required-connection, selected: ${from}, type: bucket-conn }\n        out: { stk-type: generated-connection, selected: ${selected}, type: bucket-conn }\n`;

describe('buildManifest refuses bad input', () => {
  it('reports a YAML syntax error with line and column', async () => {
    const found = await problems(
      repo('schema-version: v3\nkind: manifest\nspec:\n  plugins: [\n    - bad\n'),
    );
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found)
      expect(problem).toMatch(/^\.stk\/stk\.yaml:[4-6] YAML syntax error: /);
  });

  it('reports an unknown kind and spec.type at their lines', async () => {
    expect(
      await problems(
        repo('schema-version: v3\nkind: plugin\nmetadata: { name: x }\nspec:\n  type: service\n'),
      ),
    ).toEqual([
      ".stk/stk.yaml:2 kind must be 'manifest' for an application or shared infrastructure, got 'plugin'.",
      ".stk/stk.yaml:5 spec.type must be app (an Application) or infra (a Shared Infra), got 'service'.",
    ]);
  });

  it('reports an unknown schema-version', async () => {
    expect(
      await problems(
        repo('schema-version: v9\nkind: manifest\nmetadata: { name: x }\nspec: { type: app }\n'),
      ),
    ).toEqual([".stk/stk.yaml:1 schema-version must be one of v1, v2, v3, got 'v9'."]);
  });

  it('reports a duplicate alias at its second use', async () => {
    expect(await problems(repo(header + bucket('data') + bucket('data')))).toEqual([
      ".stk/stk.yaml:14 Plugin alias 'data' is used twice (also by plugin 1).",
    ]);
  });

  it('names where it looked for a plugin it cannot find', async () => {
    const root = repo(`${header}    - name: acme/queue@1.0.0\n      alias: q\n      type: infra\n`);
    expect(await problems(root)).toEqual([
      `.stk/stk.yaml:8 Plugin acme/queue@1.0.0 (alias q) was not found. Looked in: .stk/FORKED_PLUGINS/q, plugins.`,
    ]);
  });

  it('reports an invalid plugin.yaml with its own file and line', async () => {
    const root = repo(header + bucket('data'), {
      bucket:
        'kind: plugin\nmetadata: { name: bucket, version: 1.0.0 }\nspec:\n  inputs:\n    - { name: x, type: colour }\n',
    });
    expect(await problems(root)).toEqual([
      "plugins/bucket/plugin.yaml:5 Input x has type 'colour'; expected one of text, textarea, int, bool, select, multiselect, password, list, object, required-connection, generated-connection.",
      expect.stringMatching(
        /^\.stk\/stk\.yaml:8 Plugin acme\/bucket@1\.0\.0 \(alias data\) was not found/,
      ),
    ]);
  });

  it('reports every missing or mistyped input at once, each where its value is', async () => {
    const root = repo(
      header +
        bucket('one', 'size: lots') +
        bucket('two', "bucket_name: 'Has Caps'\n        tier: gold\n        versioned: maybe"),
    );
    expect(await problems(root)).toEqual([
      '.stk/stk.yaml:9 Input bucket_name of plugin one is required but has no value.',
      '.stk/stk.yaml:12 Input size of plugin one must be a whole number, got "lots".',
      '.stk/stk.yaml:17 Input bucket_name of plugin two must match the pattern [a-z]+, got "Has Caps".',
      '.stk/stk.yaml:18 Input tier of plugin two must be one of "standard", "premium", got "gold".',
      '.stk/stk.yaml:19 Input versioned of plugin two must be true or false, got "maybe".',
    ]);
  });

  it('reports a required connection that nothing provides, naming plugin, input and instance', async () => {
    expect(await problems(repo(header + link('reader', 'nowhere-bucket', 'reader-link')))).toEqual([
      '.stk/stk.yaml:12 Plugin reader (input upstream) requires Connection Interface nowhere-bucket (bucket-conn), which no plugin of this file generates and which does not exist in the workspace and environment.',
    ]);
  });

  it('names every plugin of a dependency cycle', async () => {
    const root = repo(
      header +
        bucket(
          'base',
          'bucket_name: data\n        out: { stk-type: generated-connection, selected: base-b, type: bucket-conn }',
        ) +
        link('x', 'z-link', 'x-link') +
        link('y', 'x-link', 'y-link') +
        link('z', 'y-link', 'z-link'),
    );
    await expect(build(root)).rejects.toThrow(/Dependency cycle between plugins x -> y -> z -> x/);
  });

  it('reports a DYNAMIC_INPUTS value of the wrong type against DYNAMIC_INPUTS', async () => {
    await expect(
      build(repo(header + bucket('data')), { dynamicInputs: { size: 'big' } }),
    ).rejects.toThrow(
      'DYNAMIC_INPUTS: Input size of plugin data must be a whole number, got "big".',
    );
  });

  it('cannot read a missing stk.yaml and says where it looked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'no-stk-'));
    await expect(build(root)).rejects.toThrow(/\.stk\/stk\.yaml: Cannot read the file/);
  });
});

describe('removed plugins', () => {
  it('are destroyed consumers first, from the previous manifest', async () => {
    const full = repo(
      header +
        bucket(
          'base',
          'bucket_name: data\n        out: { stk-type: generated-connection, selected: base-b, type: bucket-conn }',
        ) +
        link('mid', 'base-b', 'mid-l') +
        link('leaf', 'mid-l', 'leaf-l'),
    );
    const previous = await build(full);
    const reduced = repo(
      header +
        bucket(
          'base',
          'bucket_name: data\n        out: { stk-type: generated-connection, selected: base-b, type: bucket-conn }',
        ),
    );
    const manifest = await build(reduced, { previous });
    expect(manifest.deployOrder).toEqual(['base']);
    expect(manifest.destroy.map((p) => p.alias)).toEqual(['leaf', 'mid']);
  });
});
