/**
 * A template that computes forever (nested range() loops, each under the range() cap) through the
 * built orchestrate-and-plan bundle: the template's 10 s deadline stops it (the render worker's 30 s
 * bound is the backstop, see render-plugin.test.ts), the step ends with an error naming the
 * template's file and line, and the run it opened is closed as USER_ERROR (before, it ran until
 * the job's own timeout and left the run RUNNING). The step gets more time than the corpus' 30 s.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';

jest.setTimeout(180_000);

const flow = e2eFixture({ name: 'bounds' });

function write(path: string, text: string): void {
  const full = join(flow.checkout, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

it('stops a nested range() CPU bomb at its deadline and closes the run as USER_ERROR', async () => {
  write(
    'plugins/bomb/plugin.yaml',
    'schema-version: v3\nkind: plugin\nmetadata: { name: bomb, version: 1.0.0 }\nspec:\n  type: infra\n  inputs: []\n',
  );
  write(
    'plugins/bomb/templates-deploy/main.tf',
    '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n',
  );
  flow.writeApp(
    'bombed',
    '01JB0MBED00000000000000000',
    '    - name: acme/bomb@1.0.0\n      alias: bomb\n      type: infra\n',
  );
  const started = Date.now();
  const result = await flow.orchestrate(
    'bombed',
    {},
    { timeoutMs: 120_000, env: { NODE_OPTIONS: '--max-old-space-size=256' } },
  );
  expect(result.signal).toBeNull();
  expect(result.exitCode).toBe(1);
  expect(Date.now() - started).toBeLessThan(90_000);
  const text = `${result.annotations.map((a) => a.message).join('\n')}\n${result.log}`;
  expect(text).toMatch(
    /plugins\/bomb\/templates-deploy\/main\.tf:1:\d+: .*the template took longer than 10 s to render/,
  );
  const runs = await flow.runs();
  expect(runs.map((r) => r.status)).toEqual(['USER_ERROR']);
});
