/**
 * Hostile text and files through the built bundles, with real Terraform and moto: Terraform
 * output and plugin values cannot issue workflow commands in the job log, a secret shared value
 * stays masked when Terraform encodes it (base64, URL, JSON) in the log and in the stored plan
 * text, and nothing is written or read through a symbolic link leading out of the checkout.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eFixture } from '../harness/e2e-fixture';
import { leaksOf } from '../harness/leaks';
import type { ActionResult } from '../harness/runner';

jest.setTimeout(120000);

const flow = e2eFixture({ name: 'logfiles' });

const PLUGIN_YAML = (name: string) =>
  `schema-version: v3
kind: plugin
metadata: { name: ${name}, version: 1.0.0 }
spec:
  type: infra
`;

/** A plugin under plugins/<name> with this main.tf, and an app <name> using it as alias `x`. */
function pluginApp(name: string, mainTf: string, appId: string): void {
  const dir = join(flow.checkout, 'plugins', name);
  mkdirSync(join(dir, 'templates-deploy'), { recursive: true });
  writeFileSync(join(dir, 'plugin.yaml'), PLUGIN_YAML(name));
  writeFileSync(join(dir, 'templates-deploy', 'main.tf'), mainTf);
  flow.writeApp(name, appId, `    - { name: acme/${name}@1.0.0, alias: x, type: infra }\n`);
}

function expectOk(step: ActionResult): void {
  expect([step.exitCode, step.annotations.filter((a) => a.level === 'error')]).toEqual([0, []]);
}

function errorsOf(step: ActionResult): string {
  return `${step.annotations.map((a) => a.message).join('\n')}\n${step.log}`;
}

async function planTexts(): Promise<string[]> {
  const keys = (await flow.moto.listKeys(flow.iacBucket)).filter((k) => k.endsWith('.txt'));
  return Promise.all(keys.map((k) => flow.moto.getObjectText(flow.iacBucket, k)));
}

describe('the job log', () => {
  // A value a plugin controls, with workflow commands on lines of their own and in legacy form.
  const HOSTILE =
    'ok\\n::warning::pwned-warning\\n::error file=main.tf,line=1::pwned-error\\n::add-mask::Plan\\n  ::notice::pwned-notice\\nsay ##[warning]pwned-legacy\\n';

  it('shows Terraform output, plan text and output values with their workflow commands inert', async () => {
    pluginApp(
      'injector',
      `resource "terraform_data" "r" {
  input = "${HOSTILE}"
}

output "v" {
  value = terraform_data.r.output
}

output "direct" {
  value = "${HOSTILE}"
}
`,
      '01JINJECT0000000000000000A',
    );
    const plan = await flow.orchestrate('injector');
    expectOk(plan);
    const applied = await flow.apply(plan);
    expectOk(applied);
    for (const step of [plan, applied]) {
      // The text is there to read, as text: no annotation, no mask came of it.
      expect(step.log).toContain('::warning::pwned-warning');
      expect(step.annotations.filter((a) => /pwned/.test(a.message))).toEqual([]);
      expect(step.masks).not.toContain('Plan');
      expect(step.log).toMatch(/Plan: 1 to add|Apply complete/);
    }
    const outputs = JSON.parse(readFileSync(join(flow.checkout, 'x_outputs.json'), 'utf8')) as {
      v: string;
    };
    expect(outputs.v).toContain('::add-mask::Plan');
  });
});

describe('secrets in their encoded forms', () => {
  // Chosen so that the runner's own encodings of it (padded base64 at three offsets, its JSON and
  // URI escaping) do not match what Terraform's base64encode, urlencode and jsonencode print.
  const SECRET = 'Sv s3cr<3t&Q+8/w2z';

  // A secret reaches Terraform as a sensitive value (see templates/marked-values.ts); a hostile
  // plugin can still print it with nonsensitive(), encoded: the engine's own masking must hold.
  it('masks a secret shared value Terraform prints base64-, URL- and JSON-encoded, in the log and the stored plan text', async () => {
    const set = await flow.cli(['values', 'set', 'ENC_KEY', '--secret'], `${SECRET}\n`);
    expect([set.code, set.output]).toEqual([0, expect.stringContaining('secret')]);
    pluginApp(
      'encoder',
      `locals {
  s = "{{ var.ENC_KEY }}"
}

output "b64" {
  value = nonsensitive(base64encode("x\${local.s}y"))
}

output "url" {
  value = nonsensitive(urlencode(local.s))
}

output "json" {
  value = nonsensitive(jsonencode({ k = local.s }))
}
`,
      '01JENC0DER000000000000000A',
    );
    const before = new Set(await planTexts());
    const plan = await flow.orchestrate('encoder');
    expectOk(plan);
    const applied = await flow.apply(plan);
    expectOk(applied);

    const encoded = {
      base64: Buffer.from(`x${SECRET}y`).toString('base64'),
      url: encodeURIComponent(SECRET).replace(/%20/g, '+'),
      json: JSON.stringify(SECRET).slice(1, -1).replace(/</g, '\\u003c').replace(/&/g, '\\u0026'),
    };
    // What Terraform wrote really is in the state: the masking, not the plugin, hid it.
    const state = JSON.parse(readFileSync(join(flow.checkout, 'x_outputs.json'), 'utf8'));
    expect(state).toEqual({
      b64: encoded.base64,
      url: encoded.url,
      json: `{"k":"${encoded.json}"}`,
    });
    const texts = (await planTexts()).filter((t) => !before.has(t));
    expect(texts.length).toBeGreaterThan(0);
    const partOfBase64 = encoded.base64.slice(4, 20);
    // Any other spelling of it (quoted, escaped twice, ...) would still show this part.
    const plainPart = 's3cr';
    for (const [name, value] of Object.entries({ ...encoded, partOfBase64, plainPart })) {
      for (const step of [plan, applied])
        expect([name, leaksOf(step, value).filter((p) => !p.includes('x_outputs.json'))]).toEqual([
          name,
          [],
        ]);
      for (const text of texts) expect([name, text.includes(value)]).toEqual([name, false]);
    }
    // Only the first characters, which mix in the "x" before the secret, stay readable.
    expect(texts.join('\n')).toMatch(/b64 += "[A-Za-z0-9+/]{0,4}\*\*\*/);
  });
});

describe('files and links', () => {
  it('refuses to write <alias>_outputs.json through a symbolic link committed in its place', async () => {
    pluginApp(
      'linked-output',
      'resource "terraform_data" "r" {\n  input = "v"\n}\n\noutput "o" {\n  value = terraform_data.r.output\n}\n',
      '01JL1NKEDOUTPUT00000000000',
    );
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'untouched\n');
    const target = join(flow.checkout, 'x_outputs.json');
    rmSync(target, { force: true });
    symlinkSync(victim, target);
    try {
      const plan = await flow.orchestrate('linked-output');
      expectOk(plan);
      const applied = await flow.apply(plan);
      expect(applied.exitCode).toBe(1);
      expect(errorsOf(applied)).toMatch(
        /x_outputs\.json is a symbolic link in the checkout: runtime-tasks writes the plugin's outputs there and does not write through it/,
      );
      expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
      // Our own annotations, with file and line, still work.
      expect(applied.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', properties: { file: 'x_outputs.json' } }),
      );
    } finally {
      rmSync(target, { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a forked plugin folder that is a symbolic link leading out of the checkout', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-plugin-'));
    mkdirSync(join(outside, 'templates-deploy'));
    writeFileSync(join(outside, 'plugin.yaml'), PLUGIN_YAML('elsewhere'));
    writeFileSync(
      join(outside, 'templates-deploy', 'main.tf'),
      'resource "terraform_data" "r" {\n  input = "from outside"\n}\n',
    );
    flow.writeApp(
      'forked-link',
      '01JF0RKEDL1NK0000000000000',
      '    - { name: acme/elsewhere@1.0.0, alias: y, type: infra }\n',
    );
    const forked = join(flow.checkout, 'forked-link', '.stk', 'FORKED_PLUGINS');
    mkdirSync(forked, { recursive: true });
    symlinkSync(outside, join(forked, 'y'));
    try {
      const plan = await flow.orchestrate('forked-link');
      expect(plan.exitCode).toBe(1);
      expect(errorsOf(plan)).toMatch(
        /Plugin folder forked-link\/\.stk\/FORKED_PLUGINS\/y leads outside the checkout through a symbolic link/,
      );
      expect(plan.outputs.run_id ?? '').toBe('');
    } finally {
      rmSync(join(forked, 'y'), { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('reads no plugin.yaml that is a symbolic link, so no runner file is quoted in an error', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-yaml-'));
    writeFileSync(join(outside, 'credentials'), '[default]\naws_secret_access_key = LEAKME123\n');
    flow.writeApp(
      'yaml-link',
      '01JYAMLL1NK000000000000000',
      '    - { name: acme/linked@1.0.0, alias: z, type: infra }\n',
    );
    const forked = join(flow.checkout, 'yaml-link', '.stk', 'FORKED_PLUGINS', 'z');
    mkdirSync(join(forked, 'templates-deploy'), { recursive: true });
    symlinkSync(join(outside, 'credentials'), join(forked, 'plugin.yaml'));
    try {
      const plan = await flow.orchestrate('yaml-link');
      expect(plan.exitCode).toBe(1);
      expect(errorsOf(plan)).toMatch(
        /The file is a symbolic link; descriptors and plugin files are read only as regular files/,
      );
      // (The link itself is in the workspace: look at what the step printed and wrote.)
      expect(`${plan.stdout}${plan.stderr}${plan.summary}`).not.toContain('LEAKME123');
    } finally {
      rmSync(join(flow.checkout, 'yaml-link'), { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("refuses a WORKDIR in StackSpot's documented absolute form that leads out of the checkout through a symbolic link", async () => {
    // Another application's folder on the runner, with a valid .stk/: reading it would deploy it.
    const outside = mkdtempSync(join(tmpdir(), 'outside-app-'));
    cpSync(join(flow.checkout, 'single'), outside, { recursive: true });
    const link = join(flow.checkout, 'linked-app');
    symlinkSync(outside, link);
    const runsBefore = (await flow.runs()).length;
    try {
      const plan = await flow.orchestrate('/home/runner/_work/shop/shop/linked-app', {
        PATH_TO_MOUNT: '/home/runner/_work/shop/shop',
      });
      expect(plan.exitCode).toBe(1);
      expect(errorsOf(plan)).toMatch(
        /Input WORKDIR '\/home\/runner\/_work\/shop\/shop\/linked-app' leads outside the checkout \(PATH_TO_MOUNT\) through a symbolic link/,
      );
      expect((await flow.runs()).length).toBe(runsBefore);
    } finally {
      rmSync(link, { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a PLUGINS_PATH entry that is a symbolic link leading out of the checkout', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-plugins-'));
    cpSync(join(flow.checkout, 'plugins', 'node-a'), join(outside, 'node-a'), { recursive: true });
    const link = join(flow.checkout, 'linked-plugins');
    symlinkSync(outside, link);
    try {
      const plan = await flow.orchestrate('single', { PLUGINS_PATH: 'linked-plugins' });
      expect(plan.exitCode).toBe(1);
      expect(errorsOf(plan)).toMatch(
        /Plugin folder linked-plugins leads outside the checkout through a symbolic link/,
      );
      expect(existsSync(link)).toBe(true);
    } finally {
      rmSync(link, { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
