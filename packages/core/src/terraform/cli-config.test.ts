import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliConfig, cliConfigSecrets, readRunnerCliConfig } from './cli-config';

const MIRROR = '/runner/temp/deploy-engine/providers';

describe('cliConfig', () => {
  it('without a runner configuration: the step mirror first, then direct installation', () => {
    expect(cliConfig(undefined, MIRROR)).toEqual({
      name: 'terraformrc',
      text: `provider_installation {\n  filesystem_mirror {\n    path = "${MIRROR}"\n  }\n  direct {}\n}\n`,
    });
    expect(cliConfig(undefined, undefined)).toEqual({ name: 'terraformrc', text: '' });
  });

  it("keeps the runner's configuration, with the step mirror before its own installation methods", () => {
    const runner = [
      'credentials "registry.acme.example" {',
      '  token = "s3cr3t.token"',
      '}',
      'provider_installation {',
      '  network_mirror {',
      '    url = "https://mirror.acme.example/providers/"',
      '  }',
      '}',
      '',
    ].join('\n');
    const { text } = cliConfig({ path: '/home/runner/.terraformrc', text: runner }, MIRROR);
    expect(text).toBe(
      runner.replace(
        'provider_installation {',
        `provider_installation {\n  filesystem_mirror {\n    path = "${MIRROR}"\n  }\n`,
      ),
    );
    expect(text.match(/provider_installation/g)).toHaveLength(1);
  });

  it("leaves out the runner's plugin_cache_dir: Terraform's cache is not safe for inits at once", () => {
    const { text } = cliConfig(
      { path: '/x/.terraformrc', text: 'plugin_cache_dir = "/home/runner/.tf-cache"\n' },
      MIRROR,
    );
    expect(text).not.toMatch(/^\s*plugin_cache_dir\s*=/m);
    expect(text).toContain('filesystem_mirror');
  });

  it('keeps a JSON configuration as it is (no mirror: it cannot be merged safely)', () => {
    const json = '{"plugin_cache_dir": "/c"}';
    expect(cliConfig({ path: '/x/config.json', text: json }, MIRROR)).toEqual({
      name: 'terraformrc.json',
      text: json,
    });
  });
});

describe('readRunnerCliConfig', () => {
  it('reads TF_CLI_CONFIG_FILE, else ~/.terraformrc; a missing file is no configuration', () => {
    const home = mkdtempSync(join(tmpdir(), 'cli-config-'));
    expect(readRunnerCliConfig({ HOME: home })).toBeUndefined();
    expect(readRunnerCliConfig({ HOME: home, TF_CLI_CONFIG_FILE: join(home, 'nope') })).toBe(
      undefined,
    );
    writeFileSync(join(home, '.terraformrc'), 'disable_checkpoint = true\n');
    expect(readRunnerCliConfig({ HOME: home })).toEqual({
      path: join(home, '.terraformrc'),
      text: 'disable_checkpoint = true\n',
    });
    writeFileSync(join(home, 'other.tfrc'), 'x = 1\n');
    expect(
      readRunnerCliConfig({ HOME: home, TF_CLI_CONFIG_FILE: join(home, 'other.tfrc') })?.text,
    ).toBe('x = 1\n');
  });

  it('finds the registry tokens to mask', () => {
    expect(
      cliConfigSecrets(
        'credentials "a.example" {\n  token = "t1"\n}\ncredentials "b" {\n token="t2"\n}\n',
      ),
    ).toEqual(['t1', 't2']);
  });
});
