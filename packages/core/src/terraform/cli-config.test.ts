import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import { cliConfig, cliConfigFailure, readRunnerCliConfig } from './cli-config';

const MIRROR = '/runner/temp/deploy-engine/providers';

describe('cliConfig', () => {
  it('without a runner configuration: the step mirror first, then direct installation', () => {
    expect(cliConfig(undefined, MIRROR)).toEqual({
      name: 'terraformrc',
      text: `provider_installation {\n  filesystem_mirror {\n    path = "${MIRROR}"\n  }\n  direct {}\n}\n`,
    });
  });

  it('always gives Terraform an explicit provider_installation, even without the step mirror', () => {
    // Without one, Terraform installs from its implicit folders, the project's terraform.d among them.
    expect(cliConfig(undefined, undefined)).toEqual({
      name: 'terraformrc',
      text: 'provider_installation {\n  direct {}\n}\n',
    });
    expect(
      cliConfig({ path: '/x/.terraformrc', text: 'disable_checkpoint = true' }, undefined),
    ).toEqual({
      name: 'terraformrc',
      text: 'disable_checkpoint = true\nprovider_installation {\n  direct {}\n}\n',
    });
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

  it('rewrites a JSON configuration: the step mirror first, every method as a list of blocks', () => {
    const runner = {
      credentials: { 'registry.acme.example': { token: 't' } },
      plugin_cache_dir: '/c',
      provider_installation: {
        network_mirror: { url: 'https://mirror.acme.example/', include: ['acme/*'] },
        direct: { exclude: ['acme/*'] },
      },
    };
    const file = cliConfig({ path: '/x/config.json', text: JSON.stringify(runner) }, MIRROR);
    expect(file.name).toBe('terraformrc.json');
    const written = JSON.parse(file.text) as Record<string, unknown>;
    expect(written).toEqual({
      credentials: runner.credentials,
      provider_installation: {
        filesystem_mirror: [{ path: MIRROR }],
        network_mirror: [runner.provider_installation.network_mirror],
        direct: [runner.provider_installation.direct],
      },
    });
    expect(Object.keys(written.provider_installation as object)[0]).toBe('filesystem_mirror');
  });

  it('gives a JSON configuration without installation methods direct installation only', () => {
    for (const text of ['{}', '  {"disable_checkpoint": true}']) {
      for (const name of ['/x/config.json', '/x/.terraformrc']) {
        const file = cliConfig({ path: name, text }, undefined);
        expect(file.name).toBe('terraformrc.json');
        expect(
          (JSON.parse(file.text) as { provider_installation: unknown }).provider_installation,
        ).toEqual({ direct: [{}] });
      }
    }
    const runnerMirrors = JSON.stringify({
      provider_installation: [{ filesystem_mirror: [{ path: '/opt/tf-plugins' }] }],
    });
    expect(JSON.parse(cliConfig({ path: '/x/c.json', text: runnerMirrors }, MIRROR).text)).toEqual({
      provider_installation: {
        filesystem_mirror: [{ path: MIRROR }, { path: '/opt/tf-plugins' }],
      },
    });
  });

  it('refuses a JSON configuration Terraform could not read, naming the file and line', () => {
    const broken = () => cliConfig({ path: '/x/c.json', text: '{\n "a": 1,\n}' }, MIRROR);
    expect(broken).toThrow(ConfigurationError);
    expect(broken).toThrow(/^\/x\/c\.json:3: .*not valid JSON/);
    expect(() =>
      cliConfig({ path: '/x/c.json', text: '{"provider_installation": 1}' }, MIRROR),
    ).toThrow(/provider_installation that is not an object/);
    expect(() =>
      cliConfig(
        { path: '/x/c.json', text: '{"provider_installation": [{"direct": {}}, {"direct": {}}]}' },
        MIRROR,
      ),
    ).toThrow(/2 provider_installation blocks/);
  });
});

describe('cliConfigFailure', () => {
  it("reads Terraform's complaint about its CLI configuration, and nothing else", () => {
    const output = [
      'There are some problems with the CLI configuration:',
      '╷',
      '│ Error: Error parsing /tmp/x.tfrc: At 2:1: expected: IDENT | STRING got: LBRACE',
      '│',
      '╵',
      '',
      'As a result of the above problems, Terraform may not behave as intended.',
      '',
      'Initializing the backend...',
    ].join('\n');
    expect(cliConfigFailure(output)).toBe(
      'Error: Error parsing /tmp/x.tfrc: At 2:1: expected: IDENT | STRING got: LBRACE',
    );
    expect(cliConfigFailure('Initializing the backend...\n')).toBeUndefined();
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
});
