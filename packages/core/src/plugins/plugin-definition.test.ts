import { parseYaml } from '../descriptor';
import { parsePluginDefinition } from './plugin-definition';

function parse(text: string) {
  const { yaml } = parseYaml(text, 'plugins/p/plugin.yaml');
  if (!yaml) throw new Error('bad yaml');
  return parsePluginDefinition(yaml);
}

const head =
  'schema-version: v3\nkind: plugin\nmetadata: { name: p, version: 1.0.0 }\nspec:\n  type: infra\n';

describe('parsePluginDefinition, StackSpot published forms', () => {
  it('reads spec.inputs-envs as inputs given per environment, and global-computed-inputs', () => {
    const { plugin, problems } = parse(
      `${head}  inputs:\n    - { name: a, type: text }\n  inputs-envs:\n    - { label: Region, name: region, type: select, items: [us, eu], required: true }\n  global-computed-inputs:\n    tag: '{{ a }}-{{ region }}'\n`,
    );
    expect(problems).toEqual([]);
    expect(plugin?.inputs.map((i) => [i.name, i.perEnvironment ?? false, i.required])).toEqual([
      ['a', false, false],
      ['region', true, true],
    ]);
    expect(plugin?.inputs[1]?.location.line).toBe(9);
    expect(plugin?.globalComputedInputs).toEqual({ tag: '{{ a }}-{{ region }}' });
  });

  it('refuses an input declared both for all environments and per environment', () => {
    const { problems } = parse(
      `${head}  inputs:\n    - { name: a, type: text }\n  inputs-envs:\n    - { name: a, type: text }\n`,
    );
    expect(problems.map((p) => `${p.location?.line} ${p.message}`)).toEqual([
      '9 Input a is declared twice.',
    ]);
  });

  it('reads v1 connection-interface declarations in both published shapes, keyed by type', () => {
    const { plugin } = parse(
      `${head.replace('v3', 'v1')}  generates:\n    connection-interface: [queue-conn]\n  requires:\n    - connection-interface: topic-conn\n`,
    );
    expect(plugin?.generates).toEqual([{ key: 'queue-conn', type: 'queue-conn', outputs: [] }]);
    expect(plugin?.requires).toEqual([{ key: 'topic-conn', type: 'topic-conn', outputs: [] }]);
  });
});
