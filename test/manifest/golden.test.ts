/**
 * Golden files: the manifest of each fixture repository, byte for byte. Regenerate with
 * UPDATE_GOLDEN=1 and review the diff by eye.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildManifest,
  MemoryLogger,
  renderManifestMermaid,
  type BuildManifestOptions,
  type ConnectionInterfaceInstance,
} from '@deploy-engine/core';
import { REPO_ROOT } from '../harness/action-metadata';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
const GOLDEN = join(FIXTURES, 'manifest', 'golden');

const sharedBucket: ConnectionInterfaceInstance = {
  name: 'shared-bucket',
  type: 'bucket-conn',
  attributes: { arn: 'arn:shared' },
  producer: {
    appKind: 'infra',
    appId: '01JSHARED00000000000000000',
    appName: 'platform',
    alias: 'bucket',
    runId: '01JRUN0000000000000000000A',
  },
  updatedAt: '2026-11-01T00:00:00.000Z',
};

interface Case {
  name: string;
  repoRoot: string;
  workdir: string;
  pluginDirs: string[];
  environment?: string;
  context?: ConnectionInterfaceInstance[];
  dynamicInputs?: Record<string, string>;
}

const manifestFixtures = join(FIXTURES, 'manifest');
const cases: Case[] = [
  { name: 'single', repoRoot: manifestFixtures, workdir: 'single', pluginDirs: ['plugins'] },
  { name: 'chain-of-three', repoRoot: manifestFixtures, workdir: 'chain', pluginDirs: ['plugins'] },
  { name: 'diamond', repoRoot: join(FIXTURES, 'e2e'), workdir: 'diamond', pluginDirs: ['plugins'] },
  {
    name: 'app-and-infra-dev',
    repoRoot: manifestFixtures,
    workdir: 'app-and-infra',
    pluginDirs: ['plugins'],
  },
  {
    name: 'app-and-infra-prod',
    repoRoot: manifestFixtures,
    workdir: 'app-and-infra',
    pluginDirs: ['plugins'],
    environment: 'prod',
  },
  { name: 'forked', repoRoot: manifestFixtures, workdir: 'forked', pluginDirs: ['plugins'] },
  {
    name: 'v2-and-v3-mixed',
    repoRoot: join(REPO_ROOT, 'examples'),
    workdir: 'orders-app',
    pluginDirs: ['plugins'],
    environment: 'prod',
    dynamicInputs: { message_retention_seconds: '86400' },
  },
  {
    name: 'v1-published-dev',
    repoRoot: manifestFixtures,
    workdir: 'v1-published',
    pluginDirs: ['v1-plugins'],
  },
  {
    name: 'v1-published-prod',
    repoRoot: manifestFixtures,
    workdir: 'v1-published',
    pluginDirs: ['v1-plugins'],
    environment: 'prod',
  },
  {
    name: 'from-context',
    repoRoot: manifestFixtures,
    workdir: 'from-context',
    pluginDirs: ['plugins'],
    context: [sharedBucket],
  },
];

function options(c: Case, logger = new MemoryLogger()): BuildManifestOptions {
  return {
    repoRoot: c.repoRoot,
    workdir: c.workdir,
    pluginDirs: c.pluginDirs.map((d) => join(c.repoRoot, d)),
    workspace: 'golden',
    environment: c.environment ?? 'dev',
    version: 'v1.0.0',
    dynamicInputs: c.dynamicInputs ?? {},
    connectionInterfaces: c.context ?? [],
    logger,
  };
}

/** Absolute paths differ per machine; the goldens hold them relative to the fixture root. */
function normalize(json: string, c: Case): string {
  return json.split(c.repoRoot).join('<repo>');
}

describe.each(cases)('manifest of $name', (c) => {
  it('matches its golden file, deterministically', async () => {
    const manifest = await buildManifest(options(c));
    const json = `${normalize(JSON.stringify(manifest, null, 2), c)}\n`;
    const again = `${normalize(JSON.stringify(await buildManifest(options(c)), null, 2), c)}\n`;
    expect(again).toBe(json);
    const mermaid = `${renderManifestMermaid(manifest)}\n`;
    const goldenJson = join(GOLDEN, `${c.name}.json`);
    const goldenMermaid = join(GOLDEN, `${c.name}.mmd`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenJson)) {
      if (process.env.CI === 'true') throw new Error(`golden file ${goldenJson} is missing`);
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(goldenJson, json);
      writeFileSync(goldenMermaid, mermaid);
    }
    expect(json).toBe(readFileSync(goldenJson, 'utf8'));
    expect(mermaid).toBe(readFileSync(goldenMermaid, 'utf8'));
  });
});

describe('manifest facts the goldens encode', () => {
  const build = (name: string) =>
    buildManifest(options(cases.find((c) => c.name === name) as Case));

  it('orders producers first and keeps file order otherwise', async () => {
    expect((await build('diamond')).deployOrder).toEqual(['a', 'b', 'c', 'd']);
    expect((await build('chain-of-three')).deployOrder).toEqual(['first', 'second', 'third']);
  });

  it('derives a stable id when the descriptor has none, and says so', async () => {
    const logger = new MemoryLogger();
    const manifest = await buildManifest(options(cases[1] as Case, logger));
    expect(manifest.target.appId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect((await build('chain-of-three')).target.appId).toBe(manifest.target.appId);
    expect(logger.messages('warning')).toEqual([
      expect.stringContaining("derived from metadata.name 'chain'"),
    ]);
  });

  it('applies inputs-envs for the environment and global inputs below plugin inputs', async () => {
    const dev = (await build('app-and-infra-dev')).plugins.find((p) => p.alias === 'assets');
    const prod = (await build('app-and-infra-prod')).plugins.find((p) => p.alias === 'assets');
    expect(dev?.inputs).toMatchObject({
      tier: 'standard',
      size: 1,
      versioned: true,
      owner: 'web-dev',
      full_name: 'assets-dev',
    });
    expect(prod?.inputs).toMatchObject({ tier: 'premium', size: 10, owner: 'web-prod' });
    expect(dev?.digest).not.toBe(prod?.digest);
  });

  it('lists app plugins without locating or deploying them', async () => {
    const manifest = await build('app-and-infra-dev');
    expect(manifest.plugins.map((p) => [p.alias, p.type])).toEqual([
      ['api-code', 'app'],
      ['assets', 'infra'],
    ]);
    expect(manifest.deployOrder).toEqual(['assets']);
    expect(manifest.plugins[0]?.source).toBeUndefined();
  });

  it('prefers the forked plugin over the plugin directory', async () => {
    const storage = (await build('forked')).plugins[0];
    expect(storage?.source).toMatchObject({
      kind: 'forked',
      displayDir: 'forked/.stk/FORKED_PLUGINS/storage',
    });
  });

  it('takes requirements no plugin of the file generates from the workspace context', async () => {
    const reader = (await build('from-context')).plugins[0];
    expect(reader?.requires).toEqual([
      {
        keys: ['upstream', 'shared-bucket'],
        name: 'shared-bucket',
        type: 'bucket-conn',
        from: {
          kind: 'context',
          attributes: { arn: 'arn:shared' },
          producer: sharedBucket.producer,
        },
      },
    ]);
    expect(reader?.dependsOn).toEqual([]);
  });

  it('gives DYNAMIC_INPUTS the last word before computed inputs', async () => {
    const queue = (await build('v2-and-v3-mixed')).plugins.find((p) => p.alias === 'billing-queue');
    expect(queue?.inputs).toMatchObject({
      message_retention_seconds: 86400,
      queue_full_name: 'orders-billing-prod',
    });
  });

  it('changes a plugin digest when one of its files changes', async () => {
    const c = cases[0] as Case;
    const before = (await buildManifest(options(c))).plugins[0]?.digest;
    const file = join(manifestFixtures, 'plugins', 'bucket', 'templates-deploy', 'main.tf');
    const original = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, `${original}# changed\n`);
      expect((await buildManifest(options(c))).plugins[0]?.digest).not.toBe(before);
    } finally {
      writeFileSync(file, original);
    }
  });
});
