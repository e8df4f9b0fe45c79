import type { GeneratedConnection } from '../manifest/types';
import { parseConnectionTypeText, type ConnectionInterfaceType } from './connection-type';
import { checkGeneratedConnections, checkSecretOutputs } from './contract-checks';
import { mergeTypes } from './type-sources';

const TEXT = `schema-version: v1
kind: connection-interface-type
metadata: { name: aws-sns-conn }
spec:
  attributes:
    - { name: arn, type: string }
    - { name: name, required: false }
    - { name: token, type: string, secret: true }
`;

function parsed(text = TEXT): ConnectionInterfaceType {
  const result = parseConnectionTypeText(text, 'types/sns.yaml', 'types/sns.yaml');
  if (!result.type) throw new Error(JSON.stringify(result.problems));
  return result.type;
}

const generated = (outputs: [string, string][]): GeneratedConnection[] => [
  {
    key: 'out',
    name: 'orders-topic',
    type: 'aws-sns-conn',
    outputs: outputs.map(([from, to]) => ({ from, to })),
  },
];

describe('Connection Interface Types', () => {
  it('parses attributes with their defaults: required unless said, not secret unless said', () => {
    expect(parsed().attributes).toEqual([
      { name: 'arn', type: 'string', required: true, secret: false },
      { name: 'name', type: 'string', required: false, secret: false },
      { name: 'token', type: 'string', required: true, secret: true },
    ]);
  });

  it('names the file and line of what is wrong', () => {
    const result = parseConnectionTypeText(
      TEXT.replace('{ name: name, required: false }', '{ name: name, type: blob, secret: maybe }'),
      'types/sns.yaml',
      'types/sns.yaml',
    );
    expect(result.type).toBeUndefined();
    expect(result.problems).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("type 'blob'"),
        location: expect.objectContaining({ file: 'types/sns.yaml', line: 7 }),
      }),
      expect.objectContaining({ message: 'Attribute name: secret must be true or false.' }),
    ]);
  });

  it('asks a generating plugin to map every required attribute and only defined ones', () => {
    const types = new Map([['aws-sns-conn', parsed()]]);
    const plugin = { alias: 'topic', pluginFile: 'plugins/sns/plugin.yaml' };
    expect(
      checkGeneratedConnections(
        plugin,
        generated([
          ['arn', 'arn'],
          ['tok', 'token'],
        ]),
        types,
      ),
    ).toEqual([]);
    const problems = checkGeneratedConnections(
      plugin,
      generated([
        ['arn', 'arn'],
        ['x', 'extra'],
      ]),
      types,
    );
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('do not map the required attribute(s) token'),
      expect.stringContaining(
        'maps extra into Connection Interface orders-topic, but type aws-sns-conn defines only arn, name, token',
      ),
    ]);
    expect(problems[0]?.location).toEqual({ file: 'plugins/sns/plugin.yaml' });
    // Unknown types: open world.
    expect(checkGeneratedConnections(plugin, generated([]), new Map())).toEqual([]);
  });

  it('refuses an output feeding a secret attribute unless it is sensitive', () => {
    const types = new Map([['aws-sns-conn', parsed()]]);
    const connections = generated([
      ['arn', 'arn'],
      ['tok', 'token'],
    ]);
    const outputs = (sensitive: boolean) => [
      { name: 'arn', sensitive: false },
      { name: 'tok', sensitive },
    ];
    expect(checkSecretOutputs({ alias: 'topic' }, connections, types, outputs(true), 'x')).toEqual(
      [],
    );
    expect(checkSecretOutputs({ alias: 'topic' }, connections, types, outputs(false), 'x')).toEqual(
      [
        expect.objectContaining({
          message: expect.stringContaining('Output tok of topic feeds the secret attribute token'),
        }),
      ],
    );
  });

  it('prefers the repository over the workspace and says when they differ', () => {
    const workspace = {
      ...parsed(),
      source: 'workspace shop',
      attributes: parsed().attributes.slice(0, 1),
    };
    const merged = mergeTypes([parsed()], [workspace]);
    expect(merged.types.get('aws-sns-conn')?.source).toBe('types/sns.yaml');
    expect(merged.notices).toEqual([expect.stringContaining("the repository's is used")]);
    expect(mergeTypes([parsed()], [{ ...parsed(), source: 'workspace shop' }]).notices).toEqual([]);
  });
});
