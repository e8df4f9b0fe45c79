/**
 * The test provider's cloud latency and change log (test/provider/server.cjs), through real
 * Terraform: a create waits its delay_ms, the provider block's log_file gets one line per
 * completed change (after the wait), planning logs nothing, and a resource without delay_ms
 * takes the provider block's.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MARKER_SOURCE,
  startProviderMirror,
  type ProviderMirror,
} from '../harness/provider-mirror';
import { terraform } from '../harness/terraform';

let mirror: ProviderMirror;
beforeAll(async () => {
  mirror = await startProviderMirror();
});
afterAll(async () => {
  await mirror?.stop();
});

function project(dir: string, log: string, resources: string): void {
  writeFileSync(
    join(dir, 'main.tf'),
    `terraform {\n  required_providers {\n    marker = { source = "${MARKER_SOURCE}" }\n  }\n}\nprovider "marker" {\n  log_file = "${log}"\n  delay_ms = 400\n}\n${resources}`,
  );
}

interface Change {
  op: string;
  id: string;
  input: string;
  at: string;
}

it('waits delay_ms per change and logs each completed create, update and delete once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'marker-delay-'));
  const log = join(dir, 'changes.jsonl');
  const slow = 'resource "marker_value" "slow" {\n  input    = "a"\n  delay_ms = 1500\n}\n';
  project(dir, log, `${slow}resource "marker_value" "fast" { input = "b" }\n`);
  const run = async (...args: string[]) => {
    const [command = '', ...rest] = args;
    const result = await terraform(
      [command, '-input=false', '-no-color', ...rest],
      dir,
      mirror.env,
    );
    expect([args[0], result.code, result.stderr]).toEqual([args[0], 0, '']);
  };
  await run('init');
  await run('plan', '-out=p.tfplan');
  expect(existsSync(log)).toBe(false);
  const t0 = Date.now();
  await run('apply', 'p.tfplan');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  const created = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Change);
  expect(created.map((c) => [c.op, c.input])).toEqual([
    ['create', 'b'],
    ['create', 'a'],
  ]);
  // "fast" took the provider block's 400 ms, "slow" its own 1500 ms: they ran side by side.
  const gap = Date.parse(created[1]?.at ?? '') - Date.parse(created[0]?.at ?? '');
  expect(gap).toBeGreaterThanOrEqual(900);

  project(dir, log, slow.replace('"a"', '"a2"').replace('1500', '200'));
  await run('apply', '-auto-approve');
  const all = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Change);
  expect(
    all
      .slice(2)
      .map((c) => [c.op, c.input])
      .sort(),
  ).toEqual([
    ['delete', 'b'],
    ['update', 'a2'],
  ]);
  expect(new Set(all.filter((c) => c.op === 'create').map((c) => c.id)).size).toBe(2);
}, 60000);
