import { parseYaml } from '../descriptor/yaml-file';
import { parsePluginDefinition } from './plugin-definition';
import { TERRAFORM_ENVIRONMENTS, terraformVersionOf } from './runtime-environment';

/** plugin.yaml text with `runtime` as given (indented under spec). */
function plugin(runtime: string, schema = 'v3'): ReturnType<typeof parsePluginDefinition> {
  const text = `schema-version: ${schema}
kind: plugin
metadata:
  name: queue
  version: 1.0.0
spec:
  type: infra
${runtime}
  inputs:
    - name: queue_name
      type: text
`;
  const { yaml, problems } = parseYaml(text, 'plugins/queue/plugin.yaml');
  if (!yaml) throw new Error(JSON.stringify(problems));
  return parsePluginDefinition(yaml);
}

describe('StackSpot Terraform runtime environments', () => {
  it('maps each minor line to its last patch release, and the exact form to itself', () => {
    expect(terraformVersionOf('terraform-1-4')).toBe('1.4.7');
    expect(terraformVersionOf('terraform-1-5')).toBe('1.5.7');
    expect(terraformVersionOf('terraform-1-11')).toBe('1.11.4');
    expect(terraformVersionOf('terraform-1-4-6')).toBe('1.4.6');
    expect(terraformVersionOf('terraform-1-13-5')).toBe('1.13.5');
    // Every table entry is a release version, and the names follow StackSpot's pattern.
    for (const [name, version] of Object.entries(TERRAFORM_ENVIRONMENTS)) {
      expect(name).toMatch(/^terraform-1-\d+$/);
      expect(version.startsWith(name.slice('terraform-'.length).replace('-', '.') + '.')).toBe(
        true,
      );
    }
  });

  it.each([
    'terraform-1-13', // a line still patched: not guessed
    'terraform-0-12',
    'terraform-1.4',
    'terraform-1-4-x',
    'terraform-01-4-7',
    'terraform-1-4-7-rc1',
    'terraform-1-4 ',
    'terraform-latest',
    'terraform',
  ])('knows no version for %j', (name) => {
    expect(terraformVersionOf(name)).toBeUndefined();
  });
});

describe('spec.runtime.environment in plugin.yaml', () => {
  it('reads the Terraform entry of a v3 block list among other tools, with its line', () => {
    const { plugin: p, problems } = plugin(
      '  runtime:\n    environment:\n      - aws-cli-2\n      - terraform-1-4\n      - git-2',
    );
    expect(problems).toEqual([]);
    expect(p?.terraform).toEqual({
      environment: 'terraform-1-4',
      version: '1.4.7',
      location: { file: 'plugins/queue/plugin.yaml', line: 11, column: 9 },
    });
  });

  it('reads a v2 flow list, a repeated entry, and an exact version', () => {
    expect(plugin('  runtime:\n    environment: [terraform-1-5]', 'v2').plugin?.terraform).toEqual(
      expect.objectContaining({ environment: 'terraform-1-5', version: '1.5.7' }),
    );
    expect(
      plugin('  runtime:\n    environment: [terraform-1-5, terraform-1-5]').plugin?.terraform
        ?.version,
    ).toBe('1.5.7');
    expect(
      plugin('  runtime:\n    environment: [terraform-1-9-3]').plugin?.terraform?.version,
    ).toBe('1.9.3');
  });

  it('leaves the Terraform to the runner without runtime, environment or a terraform entry', () => {
    for (const runtime of [
      '',
      '  runtime:',
      '  runtime: {}',
      '  runtime:\n    environment: []',
      '  runtime:\n    environment: [aws-cli-2-2, git-2]',
    ]) {
      const { plugin: p, problems } = plugin(runtime);
      expect([runtime, problems]).toEqual([runtime, []]);
      expect(p?.terraform).toBeUndefined();
    }
  });

  it('keeps an unknown Terraform name without a version (TERRAFORM_VERSION may override it)', () => {
    const { plugin: p, problems } = plugin('  runtime:\n    environment: [terraform-1-13]');
    expect(problems).toEqual([]);
    expect(p?.terraform).toEqual({
      environment: 'terraform-1-13',
      location: expect.objectContaining({ line: 9 }),
    });
  });

  it.each([
    ['  runtime: terraform-1-4', /spec\.runtime must be a mapping/, 8],
    ['  runtime:\n    environment: terraform-1-4', /must be a list, like \[terraform-1-4/, 9],
    ['  runtime:\n    environment:\n      - 14', /environment\[0\] must be a tool name/, 10],
    [
      '  runtime:\n    environment:\n      - { terraform: 1-4 }',
      /environment\[0\] must be a tool name/,
      10,
    ],
    [
      '  runtime:\n    environment: [Terraform-1-4]',
      /'Terraform-1-4' is not a Terraform environment name/,
      9,
    ],
    [
      '  runtime:\n    environment: [" terraform-1-4"]',
      /' terraform-1-4' is not a Terraform environment name/,
      9,
    ],
    [
      '  runtime:\n    environment: [terraformx]',
      /'terraformx' is not a Terraform environment name/,
      9,
    ],
    [
      '  runtime:\n    environment: [terraform-1-4, terraform-1-5]',
      /names 2 Terraform versions \(terraform-1-4, terraform-1-5\); a plugin runs with one/,
      9,
    ],
  ])('refuses %j, at its line', (runtime, message, line) => {
    const { plugin: p, problems } = plugin(runtime);
    expect(p).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(message),
        location: expect.objectContaining({ file: 'plugins/queue/plugin.yaml', line }),
      }),
    ]);
  });
});
