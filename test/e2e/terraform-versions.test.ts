/**
 * A plugin's runtime environment (`terraform-1-10`) through the bundles, with real Terraform and
 * moto_server: orchestrate-and-plan installs the Terraform it names from a releases server on
 * 127.0.0.1 (the real terraform served as 1.10.5, test/harness/terraform-releases.ts) before the
 * run opens, plans that plugin with it and records the choice; runtime-tasks, on a fresh tool
 * cache and without TERRAFORM_VERSION, installs the recorded version and applies with it. The
 * runner's own terraform (a logging wrapper first on PATH) runs only the plugin that names no
 * version. TERRAFORM_VERSION overrides the environment (said once, recorded, applied with); a
 * version that cannot be installed stops
 * orchestrate-and-plan before any run or lock exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIdOf } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import type { ActionResult } from '../harness/runner';
import { startReleaseServer, type ReleaseServer } from '../harness/terraform-releases';

jest.setTimeout(240000);

let releases: ReleaseServer;
const flow = e2eFixture({ name: 'tfver' });
/** Every call of the runner's terraform: `<cwd> <args>`. */
let pathLog: string;
let pathDir: string;

const explain = (r: ActionResult) => `exit ${r.exitCode}\n${r.log}\n${r.stderr}`;

function writePlugin(name: string, runtime: string): void {
  const dir = join(flow.checkout, 'plugins', name);
  mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'plugin.yaml'),
    `schema-version: v3
kind: plugin
metadata: { name: ${name}, version: 1.0.0 }
spec:
  type: infra
${runtime}  inputs:
    - { name: label, type: text, required: true }
`,
  );
  writeFileSync(
    join(dir, 'templates-deploy', 'main.tf'),
    'resource "terraform_data" "x" {\n  input = "{{ label }}"\n}\n\noutput "label" {\n  value = terraform_data.x.output\n}\n',
  );
}

const entry = (plugin: string, alias: string) =>
  `    - name: acme/${plugin}@1.0.0\n      alias: ${alias}\n      type: infra\n      inputs: { label: ${alias} }\n`;

/** The environment of a step on its own runner: its tool cache, the wrapper first on PATH. */
function runner(): Record<string, string> {
  return {
    RUNNER_TOOL_CACHE: mkdtempSync(join(tmpdir(), 'tool-cache-')),
    PATH: `${pathDir}:${process.env.PATH ?? ''}`,
  };
}

/** What the runner's terraform was asked to do, per plugin folder (`plan/<alias>`, `iac/<alias>`). */
function pathCalls(alias: string): string[] {
  if (!existsSync(pathLog)) return [];
  return readFileSync(pathLog, 'utf8')
    .split('\n')
    .filter((line) => new RegExp(`/(plan|iac)/${alias} `).test(line))
    .map((line) => line.split(' ')[1] ?? '');
}

const downloads = () => releases.requests.filter((r) => r.endsWith('.zip'));

beforeAll(async () => {
  releases = await startReleaseServer(['1.10.5']);
  pathDir = mkdtempSync(join(tmpdir(), 'runner-path-'));
  pathLog = join(pathDir, 'calls.log');
  const real = execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(pathDir, 'terraform'),
    `#!/bin/sh\nprintf '%s %s\\n' "$PWD" "$1" >> '${pathLog}'\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  writePlugin(
    'legacy',
    '  runtime:\n    environment:\n      - terraform-1-10\n      - aws-cli-2\n',
  );
  writePlugin('plain', '');
  writePlugin('newer', '  runtime:\n    environment: [terraform-1-12]\n');
  flow.writeApp(
    'versions',
    '01JTFVERS00000000000000000',
    entry('legacy', 'old') + entry('plain', 'cur'),
  );
  flow.writeApp('missing', '01JTFM1SS1NG00000000000000', entry('newer', 'nu'));
});

afterAll(async () => {
  await releases?.stop();
});

it('plans and applies a plugin with the Terraform its runtime environment names; TERRAFORM_VERSION overrides it', async () => {
  const urls = { TERRAFORM_RELEASES_URL: releases.url };
  const plan = await flow.orchestrate('versions', urls, { env: runner() });
  expect([plan.exitCode, explain(plan)]).toEqual([0, expect.any(String)]);
  expect(plan.log).toContain(
    'old runs with Terraform 1.10.5 (runtime environment terraform-1-10).',
  );
  expect(plan.log).toMatch(
    /Terraform 1\.11\.\d+ installed \(\S+\/terraform\/1\.10\.5\/amd64\/terraform\)/,
  );
  expect(downloads()).toEqual(['/1.10.5/terraform_1.10.5_linux_amd64.zip']);
  const manifestKey = `runs/${runIdOf(plan.outputs.run_id ?? '')}/artifacts/manifest.json`;
  const manifest = JSON.parse(await flow.moto.getObjectText(flow.iacBucket, manifestKey)) as {
    terraformVersions?: Record<string, string>;
  };
  expect(manifest.terraformVersions).toEqual({ old: '1.10.5' });

  // Another runner, no TERRAFORM_VERSION: the recorded version is installed again and applies.
  const applied = await flow.apply(plan, { env: runner(), with: urls });
  expect([applied.exitCode, explain(applied)]).toEqual([0, expect.any(String)]);
  expect(downloads()).toHaveLength(2);
  expect(applied.log).toContain(
    'Terraform versions chosen when the run was opened (runtime environment or TERRAFORM_VERSION then): old 1.10.5',
  );
  expect(readFileSync(join(flow.checkout, 'old_outputs.json'), 'utf8')).toContain('old');
  // The runner's terraform ran `cur` (plan, init, apply) and never `old`.
  expect(pathCalls('old')).toEqual([]);
  expect(pathCalls('cur')).toEqual(expect.arrayContaining(['init', 'plan', 'apply']));

  // TERRAFORM_VERSION (here the runner's own version) overrides the environment, and is recorded.
  const own = /Terraform v(\d+\.\d+\.\d+)/.exec(
    execFileSync('terraform', ['version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  )?.[1] as string;
  writeFileSync(pathLog, '');
  const overridden = await flow.orchestrate(
    'versions',
    { ...urls, VERSION: 'v2', TERRAFORM_VERSION: own, DYNAMIC_INPUTS: '--label two' },
    { env: runner() },
  );
  expect([overridden.exitCode, explain(overridden)]).toEqual([0, expect.any(String)]);
  expect(overridden.log).toContain(
    `TERRAFORM_VERSION ${own} overrides the runtime environment of old (terraform-1-10).`,
  );
  expect(overridden.log).not.toContain('old runs with Terraform 1.10.5');
  const reapplied = await flow.apply(overridden, { env: runner(), with: urls });
  expect([reapplied.exitCode, explain(reapplied)]).toEqual([0, expect.any(String)]);
  expect(downloads()).toHaveLength(2);
  expect(pathCalls('old')).toEqual(expect.arrayContaining(['init', 'plan', 'apply']));
});

it('a Terraform that cannot be installed stops orchestrate-and-plan before any run, naming the plugin and its line', async () => {
  const before = { runs: (await flow.runs()).length, locks: await flow.lockKeys() };
  const refused = await flow.orchestrate(
    'missing',
    { TERRAFORM_RELEASES_URL: releases.url },
    { env: runner() },
  );
  expect(refused.exitCode).toBe(1);
  const errors = refused.annotations.filter((a) => a.level === 'error').map((a) => a.message);
  expect(errors).toEqual([
    expect.stringMatching(
      /^orchestrate-and-plan: Terraform 1\.12\.2 could not be installed for nu \(terraform-1-12 at plugins\/newer\/plugin\.yaml:7:19\): Could not download Terraform 1\.12\.2 from http:\/\/127\.0\.0\.1:\d+\/1\.12\.2: Unexpected HTTP response: 404 \(the server has no such release\)\. Set TERRAFORM_VERSION on orchestrate-and-plan .* or change spec\.runtime\.environment\.$/,
    ),
  ]);
  expect(refused.outputs.run_id ?? '').toBe('');
  expect((await flow.runs()).length).toBe(before.runs);
  expect(await flow.lockKeys()).toEqual(before.locks);
});
