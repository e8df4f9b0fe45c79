import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryObjectStore } from '@deploy-engine/core';
import { parseArgs } from './args';
import { publisherFromEnvironment, runPlugins, type PluginsCommand } from './plugin-commands';

function folder(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-plugin-'));
  mkdirSync(join(dir, 'templates-deploy'));
  writeFileSync(
    join(dir, 'plugin.yaml'),
    `schema-version: v3\nkind: plugin\nmetadata: { name: queue, version: ${version} }\nspec:\n  type: infra\n`,
  );
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), '# queue\n');
  return dir;
}

async function run(store: MemoryObjectStore, argv: string[]) {
  const lines: string[] = [];
  const code = await runPlugins(parseArgs(argv) as PluginsCommand, store, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

describe('deploy-engine plugins', () => {
  it('publishes, lists newest first with a header, and shows a version', async () => {
    const store = new MemoryObjectStore('acme-iac');
    const base = ['--studio', 'acme', '--bucket', 'acme-iac', '--by', 'alice'];
    const first = await run(store, ['plugins', 'publish', folder('1.0.0'), ...base]);
    expect(first.code).toBe(0);
    expect(first.text).toMatch(
      /^Published acme\/queue@1\.0\.0 to s3:\/\/acme-iac\/plugins\/ \(sha256 [0-9a-f]{64}, 2 files/,
    );
    expect(first.text).toContain('`name: acme/queue@1.0.0`');
    await run(store, ['plugins', 'publish', folder('1.2.0'), ...base]);
    const again = await run(store, ['plugins', 'publish', folder('1.0.0'), ...base]);
    expect(again.text).toContain('acme/queue@1.0.0 is already published with these files');
    const list = await run(store, ['plugins', 'list', '--bucket', 'acme-iac']);
    expect(list.text).toBe('PLUGIN      VERSIONS (newest first)\nacme/queue  1.2.0, 1.0.0');
    const show = await run(store, ['plugins', 'show', 'acme/queue@1.0.0', '--bucket', 'acme-iac']);
    expect(show.text).toMatch(
      /^acme\/queue@1\.0\.0 {2}sha256 [0-9a-f]{64}\npublished \S+ by alice\n/,
    );
    expect(show.text).toContain('  0644       8  templates-deploy/main.tf');
    const json = await run(store, [
      'plugins',
      'show',
      'acme/queue@1.0.0',
      '--bucket',
      'x',
      '--json',
    ]);
    expect(JSON.parse(json.text)).toMatchObject({
      studio: 'acme',
      name: 'queue',
      version: '1.0.0',
    });
    const missing = await run(store, ['plugins', 'show', 'acme/queue@9.0.0', '--bucket', 'x']);
    expect(missing).toEqual({
      code: 3,
      text: 'acme/queue@9.0.0 is not published in s3://acme-iac/plugins/. Published versions: 1.2.0, 1.0.0.',
    });
  });

  it('needs a studio to publish, and a reference to show', () => {
    expect(() => parseArgs(['plugins', 'publish', '.', '--bucket', 'b'])).toThrow(
      'plugins needs --studio <value>.',
    );
    expect(() => parseArgs(['plugins', 'show', '--bucket', 'b'])).toThrow(
      'plugins needs a reference studio/name@version.',
    );
  });

  it('records the workflow that published, inside GitHub Actions only', () => {
    expect(publisherFromEnvironment('bob', { GITHUB_ACTOR: 'x' })).toEqual({ actor: 'bob' });
    expect(
      publisherFromEnvironment('bob', {
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'octo',
        GITHUB_REPOSITORY: 'acme/queue-plugin',
        GITHUB_SHA: 'abc',
        GITHUB_RUN_ID: '7',
        GITHUB_RUN_ATTEMPT: '2',
      }),
    ).toEqual({
      actor: 'octo',
      repository: 'acme/queue-plugin',
      commit: 'abc',
      workflowRunUrl: 'https://github.com/acme/queue-plugin/actions/runs/7/attempts/2',
    });
  });
});
