import { ConfigurationError, ExternalError } from '../errors';
import type { Manifest, ManifestPlugin } from '../manifest';
import {
  chooseTerraformVersions,
  installTerraformVersions,
  olderThanMinimum,
  terraformBinaryFor,
  withTerraformVersions,
} from './terraform-versions';

function plugin(alias: string, environment?: string, version?: string): ManifestPlugin {
  return {
    alias,
    ref: `studio/${alias}@1.0.0`,
    name: alias,
    version: '1.0.0',
    type: 'infra',
    pluginFile: `plugins/${alias}/plugin.yaml`,
    ...(environment
      ? {
          terraform: {
            environment,
            ...(version ? { version } : {}),
            location: { file: `plugins/${alias}/plugin.yaml`, line: 9, column: 19 },
          },
        }
      : {}),
    inputs: {},
    requires: [],
    generates: [],
    dependsOn: [],
    digest: alias,
  };
}

function manifest(kept: ManifestPlugin[], removed: ManifestPlugin[] = []): Manifest {
  return {
    schemaVersion: 1,
    target: {
      workspace: 'w',
      environment: 'dev',
      appKind: 'app',
      appId: '01J0000000000000000000000A',
      appName: 'a',
    },
    version: 'v1',
    plugins: [plugin('app-only', undefined), ...kept].map((p, i) =>
      i === 0 ? { ...p, type: 'app' as const } : p,
    ),
    deployOrder: kept.map((p) => p.alias),
    destroy: removed,
    digest: 'd',
  };
}

describe('chooseTerraformVersions', () => {
  const a = plugin('a', 'terraform-1-10', '1.10.5');
  const b = plugin('b', 'terraform-1-12', '1.12.2');
  const plain = plugin('c');

  it('classic: each plugin its own version; plugins without one keep the job Terraform', () => {
    const gone = plugin('old', 'terraform-1-11', '1.11.4');
    const chosen = chooseTerraformVersions(manifest([a, b, plain], [gone]), 'classic', undefined);
    expect(chosen.versions).toEqual({ a: '1.10.5', b: '1.12.2', old: '1.11.4' });
    expect(chosen.notices).toEqual([
      'a runs with Terraform 1.10.5 (runtime environment terraform-1-10).',
      'b runs with Terraform 1.12.2 (runtime environment terraform-1-12).',
      'old runs with Terraform 1.11.4 (runtime environment terraform-1-11).',
    ]);
  });

  it('chooses nothing (and says nothing) when no plugin names a runtime environment', () => {
    expect(chooseTerraformVersions(manifest([plain]), 'unified', '1.11.4')).toEqual({
      versions: {},
      notices: [],
    });
  });

  it('TERRAFORM_VERSION overrides every runtime environment, unknown ones too, saying so once', () => {
    const unknown = plugin('u', 'terraform-1-13');
    const chosen = chooseTerraformVersions(manifest([a, unknown, plain]), 'classic', '1.11.4');
    expect(chosen.versions).toEqual({ a: '1.11.4', u: '1.11.4' });
    expect(chosen.notices).toEqual([
      'TERRAFORM_VERSION 1.11.4 overrides the runtime environment of a (terraform-1-10), u (terraform-1-13).',
    ]);
    // Unified: the whole project.
    expect(chooseTerraformVersions(manifest([a, plain]), 'unified', '1.11.4').versions).toEqual({
      a: '1.11.4',
      c: '1.11.4',
    });
  });

  it('refuses an environment it does not know, naming the plugin, its line and what to do', () => {
    const unknown = plugin('u', 'terraform-1-13');
    let error: unknown;
    try {
      chooseTerraformVersions(manifest([a, unknown]), 'classic', undefined);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      {
        message:
          "Plugin u names the runtime environment 'terraform-1-13', which is not a Terraform version this engine knows.",
        location: { file: 'plugins/u/plugin.yaml', line: 9, column: 19 },
        hint: expect.stringMatching(
          /terraform-1-4, .*terraform-<major>-<minor>-<patch> for one patch.*or set TERRAFORM_VERSION/,
        ),
      },
    ]);
    expect((error as Error).message).toMatch(/no run was opened/);
  });

  it("runs a version older than the S3 backend supports (StackSpot's terraform-1-4) with the job's Terraform, saying so", () => {
    const old = plugin('old', 'terraform-1-4', '1.4.7');
    const classic = chooseTerraformVersions(manifest([old, a]), 'classic', undefined);
    expect(classic.versions).toEqual({ a: a.terraform?.version });
    expect(classic.notices[0]).toMatch(
      /^old asks for Terraform 1\.4\.7 \(terraform-1-4\); this engine keeps Terraform's state locks in S3 \(use_lockfile\), which needs Terraform 1\.10\.0 or later, so it runs with this job's Terraform .*To pin one, set TERRAFORM_VERSION/,
    );
    expect(chooseTerraformVersions(manifest([old]), 'unified', undefined)).toEqual({
      versions: {},
      notices: [expect.stringContaining("so it runs with this job's Terraform")],
    });
    // An unknown name next to it is still refused.
    const unknown = plugin('u', 'terraform-2-0');
    expect(() => chooseTerraformVersions(manifest([old, unknown]), 'classic', undefined)).toThrow(
      ConfigurationError,
    );
    // TERRAFORM_VERSION overrides it.
    expect(chooseTerraformVersions(manifest([old]), 'classic', '1.11.4').versions).toEqual({
      old: '1.11.4',
    });
  });

  it('refuses a version newer than a plugin may choose; the workflow may', () => {
    const newest = plugin('n', 'terraform-1-14-0', '1.14.0');
    const major = plugin('m', 'terraform-2-0-0', '2.0.0');
    let error: unknown;
    try {
      chooseTerraformVersions(manifest([newest, major, a]), 'classic', undefined);
    } catch (caught) {
      error = caught;
    }
    expect((error as ConfigurationError).problems).toEqual([
      {
        message:
          "Plugin n asks for Terraform 1.14.0 (terraform-1-14-0), newer than a plugin may choose (up to 1.12.x): the engine's Terraform guard is written against the releases up to there, and a later one may read what the guard does not.",
        location: { file: 'plugins/n/plugin.yaml', line: 9, column: 19 },
        hint: "The workflow can choose it: set TERRAFORM_VERSION on orchestrate-and-plan (it overrides every plugin's runtime environment). Or name terraform-1-12 or older in spec.runtime.environment.",
      },
      expect.objectContaining({
        message: expect.stringMatching(/^Plugin m asks for Terraform 2\.0\.0/),
      }),
    ]);
    expect(
      chooseTerraformVersions(
        manifest([plugin('p', 'terraform-1-12-9', '1.12.9')]),
        'classic',
        undefined,
      ).versions,
    ).toEqual({ p: '1.12.9' });
    expect(chooseTerraformVersions(manifest([newest]), 'classic', '1.14.0').versions).toEqual({
      n: '1.14.0',
    });
  });

  it.each([
    ['1.4.7', true],
    ['1.9.8', true],
    ['1.10.0-rc1', false],
    ['1.10.0', false],
    ['1.10.5', false],
    ['1.11.4', false],
    ['2.0.0', false],
    ['0.15.5', true],
  ])('%s is older than the minimum: %s', (version, older) => {
    expect(olderThanMinimum(version)).toBe(older);
  });

  it('unified: plugins that name a version must agree; the others run with it', () => {
    const a2 = plugin('a2', 'terraform-1-10-5', '1.10.5');
    const chosen = chooseTerraformVersions(manifest([a, plain], [a2]), 'unified', undefined);
    expect(chosen.versions).toEqual({ a: '1.10.5', c: '1.10.5', a2: '1.10.5' });
    expect(chosen.notices).toEqual([
      'The unified project runs with Terraform 1.10.5, the runtime environment of a (terraform-1-10), a2 (terraform-1-10-5); c names none and runs with it too.',
    ]);
    // The unified project (alias null) gets the one binary.
    const m = withTerraformVersions(manifest([a, plain], [a2]), chosen.versions);
    const binaries = new Map([['1.10.5', '/cache/1.10.5/terraform']]);
    expect(terraformBinaryFor(m, binaries, null, '/usr/bin/terraform')).toBe(
      '/cache/1.10.5/terraform',
    );
    expect(() => chooseTerraformVersions(manifest([a, b, plain]), 'unified', undefined)).toThrow(
      /The plugins ask for 2 Terraform versions \(1\.10\.5, 1\.12\.2\); no run was opened:\n {2}- plugins\/a\/plugin\.yaml:9:19: Plugin a asks for Terraform 1\.10\.5 \(terraform-1-10\)\.\n {2}- plugins\/b\/plugin\.yaml:9:19: Plugin b asks for Terraform 1\.12\.2 \(terraform-1-12\)\.\n.*set TERRAFORM_VERSION/s,
    );
  });

  it('a recorded manifest loses the choice of the run that recorded it', () => {
    const recorded = { ...manifest([plain]), terraformVersions: { c: '1.10.5' } };
    expect(withTerraformVersions(recorded, {}).terraformVersions).toBeUndefined();
    expect(withTerraformVersions(recorded, { c: '1.11.4' }).terraformVersions).toEqual({
      c: '1.11.4',
    });
  });
});

describe('installTerraformVersions', () => {
  const a = plugin('a', 'terraform-1-10', '1.10.5');
  const b = plugin('b', 'terraform-1-10', '1.10.5');
  const c = plugin('c', 'terraform-1-12', '1.12.2');
  const chosen = (m: Manifest) =>
    withTerraformVersions(m, chooseTerraformVersions(m, 'classic', undefined).versions);

  it('installs each version once, and gives each plugin its binary', async () => {
    const asked: string[] = [];
    const m = chosen(manifest([a, b, c, plugin('plain')]));
    const binaries = await installTerraformVersions(m, async (v) => {
      asked.push(v);
      return `/cache/${v}/terraform`;
    });
    expect(asked).toEqual(['1.10.5', '1.12.2']);
    expect(terraformBinaryFor(m, binaries, 'b', '/usr/bin/terraform')).toBe(
      '/cache/1.10.5/terraform',
    );
    expect(terraformBinaryFor(m, binaries, 'c', '/usr/bin/terraform')).toBe(
      '/cache/1.12.2/terraform',
    );
    expect(terraformBinaryFor(m, binaries, 'plain', '/usr/bin/terraform')).toBe(
      '/usr/bin/terraform',
    );
    expect(() => terraformBinaryFor(m, new Map(), 'a', '/usr/bin/terraform')).toThrow(
      /Terraform 1\.10\.5 of a was not installed/,
    );
  });

  it('a download that fails stays an outside failure, naming every plugin, its line and what to do', async () => {
    const m = chosen(manifest([a, b]));
    const failure = installTerraformVersions(m, () =>
      Promise.reject(
        new ExternalError('Could not download Terraform 1.10.5 from http://x: 404', {
          retryable: true,
        }),
      ),
    );
    await expect(failure).rejects.toBeInstanceOf(ExternalError);
    await expect(failure).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(
        /^Terraform 1\.10\.5 could not be installed for a \(terraform-1-10 at plugins\/a\/plugin\.yaml:9:19\), b \(terraform-1-10 at plugins\/b\/plugin\.yaml:9:19\): Could not download .*404\. Set TERRAFORM_VERSION on orchestrate-and-plan .*change spec\.runtime\.environment\.$/,
      ),
    });
  });

  it('a checksum mismatch is not retryable; a refused version is the user error it was', async () => {
    const m = chosen(manifest([c]));
    await expect(
      installTerraformVersions(m, () => Promise.reject(new ExternalError('has SHA-256 x'))),
    ).rejects.toMatchObject({ retryable: false });
    const refused = installTerraformVersions(m, () =>
      Promise.reject(new ConfigurationError({ message: 'not a version' })),
    );
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refused).rejects.toMatchObject({
      problems: [
        expect.objectContaining({
          location: { file: 'plugins/c/plugin.yaml', line: 9, column: 19 },
        }),
      ],
    });
  });
});
