/**
 * The escapes templates give other applications' values (packages/core/src/templates/
 * marked-values.ts) read back by real Terraform as exactly the original string, printed between
 * quotes, inside a heredoc-free expression and through tojson; a secret printed whole is sensitive.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildTemplateContext,
  renderTemplateString,
  secretTexts,
} from '../../packages/core/src/templates';
import { renderState } from '../../packages/core/src/templates/marked-runtime';

const VALUES = [
  'a"b',
  'back\\slash\\',
  '${file("/etc/hostname")}',
  '$${x}',
  '%{ if true }x%{ endif }',
  'new\nline\r\ttab',
  'ctl\u0001\u001f\u007f\u0085\u2028',
  'ends with $',
  'ends with %',
  'ünïcødé 🚀',
];

it('Terraform reads every escaped value back as the original string', () => {
  const ctx = buildTemplateContext({
    inputs: {},
    connections: { up: { list: VALUES, secret: 'S3cr3t"$' } },
    secretConnectionAttributes: { up: ['secret'] },
    environment: 'dev',
    workspace: 'w',
    alias: 'p',
    version: '1',
    appKind: 'app',
    appId: 'A',
  });
  renderState.secretTexts = secretTexts(ctx);
  const template = [
    '{% for v in connections.up.list %}output "v{{ loop.index }}" {\n  value = "{{ v }}"\n}\n{% endfor %}',
    'output "json" {\n  value = {{ connections.up.list | tojson }}\n}',
    'output "joined" {\n  value = "{{ connections.up.list[0] }}{{ connections.up.list[2] }}"\n}',
    'output "secret" {\n  value = "{{ connections.up.secret }}"\n  sensitive = true\n}',
    'resource "terraform_data" "s" {\n  input = "{{ connections.up.secret }}"\n}',
    '',
  ].join('\n');
  const rendered = renderTemplateString(template, ctx, 'main.tf');
  if (!rendered.ok) throw new Error(rendered.problem.message);
  const dir = mkdtempSync(join(tmpdir(), 'hcl-escaping-'));
  writeFileSync(join(dir, 'main.tf'), rendered.text);
  writeFileSync(join(dir, 'cli.tfrc'), '');
  const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'), TF_IN_AUTOMATION: '1' };
  const tf = (...args: string[]) =>
    execFileSync('terraform', args, { cwd: dir, env, encoding: 'utf8' });
  tf('init', '-input=false', '-no-color');
  const plan = tf('plan', '-input=false', '-no-color', '-out=plan.bin');
  expect(plan).toContain('(sensitive value)');
  expect(plan).not.toContain('S3cr3t');
  tf('apply', '-input=false', '-no-color', 'plan.bin');
  const out = JSON.parse(tf('output', '-json')) as Record<string, { value: unknown }>;
  VALUES.forEach((value, i) => expect([i, out[`v${i + 1}`]?.value]).toEqual([i, value]));
  expect(out.json?.value).toEqual(VALUES);
  expect(out.joined?.value).toBe(`${VALUES[0]}${VALUES[2]}`);
  expect(out.secret?.value).toBe('S3cr3t"$');
  expect(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')).toContain('"sensitive_attributes"');
});
