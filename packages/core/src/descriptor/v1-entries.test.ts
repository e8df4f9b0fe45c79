import { parseDescriptor } from './stk-descriptor';
import { deriveV1Alias, sameType } from './v1-entries';
import { parseYaml } from './yaml-file';

function parse(text: string) {
  const { yaml } = parseYaml(text, '.stk/stk.yaml');
  if (!yaml) throw new Error('bad yaml');
  return parseDescriptor(yaml);
}

const v1 = (plugins: string) =>
  `schema-version: v1\nkind: manifest\nmetadata: { name: app }\nspec:\n  type: app\n  plugins:\n${plugins}`;

describe('deriveV1Alias', () => {
  it.each([
    ['acme/sqs-plugin@1.0.0', 'sqs-plugin'],
    ['acme/stack@1.2.0/sqs-plugin@2.0.0', 'sqs-plugin'],
    ['account/studio/stack/microservices@v3', 'microservices'],
    ['acme/Queue.Plugin@1', 'Queue-Plugin'],
    [`acme/${'x'.repeat(80)}@1`, 'x'.repeat(63)],
    ['acme/@1', ''],
  ])('%s -> %s', (ref, alias) => expect(deriveV1Alias(ref)).toBe(alias));
});

describe('sameType', () => {
  it('reads - and _ alike, as v1 input names write types with _', () => {
    expect(sameType('aws_sqs_conn', 'aws-sqs-conn')).toBe(true);
    expect(sameType('aws-sqs-conn', 'aws-sns-conn')).toBe(false);
  });
});

describe('parseDescriptor, schema-version v1', () => {
  it('reads connectors and <type>__CONNECTOR inputs, once each', () => {
    const { descriptor, problems } = parse(
      v1(
        '    - name: acme/worker@1.0.0\n      type: infra\n      inputs:\n        size: 2\n        aws_sqs_conn__CONNECTOR: q1\n        aws-sns-conn__CONNECTOR: t1\n      connectors:\n        - { name: q1, type: aws-sqs-conn }\n',
      ),
    );
    expect(problems).toEqual([]);
    const plugin = descriptor?.plugins[0];
    expect(plugin?.alias).toBe('worker');
    expect(plugin?.derivedAlias).toBe(true);
    expect(plugin?.inputs).toEqual({ size: 2 });
    expect(plugin?.connectors.map((c) => [c.name, c.type, c.location.line])).toEqual([
      ['q1', 'aws-sqs-conn', 14],
      ['t1', 'aws-sns-conn', 12],
    ]);
  });

  it('refuses a connector without name or type, and a connector input without a name', () => {
    const { problems } = parse(
      v1(
        '    - name: acme/worker@1.0.0\n      type: infra\n      inputs: { x__CONNECTOR: 3 }\n      connectors: [{ name: q1 }]\n',
      ),
    );
    expect(problems.map((p) => `${p.location?.line} ${p.message}`)).toEqual([
      '10 connectors[0] needs name (the Connection Interface instance) and type (its Connection Interface Type).',
      '9 Connector input x__CONNECTOR must name a Connection Interface.',
    ]);
  });

  it('does not derive aliases outside v1: v2 and v3 entries need theirs', () => {
    const { problems } = parse(
      v1('    - name: acme/worker@1.0.0\n      type: infra\n').replace('v1', 'v2'),
    );
    expect(problems.map((p) => p.message)).toEqual(['Plugin 1 has no alias.']);
  });

  it('refuses a name no alias can be derived from', () => {
    const { problems } = parse(v1('    - name: acme/@1\n      type: infra\n'));
    expect(problems.map((p) => p.message)).toEqual([
      "Plugin 1 has no alias, and none can be derived from its name 'acme/@1'.",
    ]);
  });
});
