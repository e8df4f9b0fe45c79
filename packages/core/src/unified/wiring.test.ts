import type { Manifest, ManifestPlugin } from '../manifest';
import { checkModuleNames, connectionVariable, wireModule } from './wiring';

function plugin(alias: string, extra: Partial<ManifestPlugin> = {}): ManifestPlugin {
  return {
    alias,
    ref: `acme/${alias}@1.0.0`,
    name: alias,
    version: '1.0.0',
    type: 'infra',
    inputs: {},
    requires: [],
    generates: [],
    dependsOn: [],
    digest: alias,
    ...extra,
  };
}

const producer = plugin('topic', {
  generates: [
    {
      key: 'out',
      name: 'orders-events',
      type: 'aws-sns-conn',
      outputs: [
        { from: 'topic_arn', to: 'arn' },
        { from: 'topic_name', to: 'name' },
      ],
    },
  ],
});
const consumer = plugin('queue', {
  requires: [
    {
      keys: ['source_topic', 'orders-events'],
      name: 'orders-events',
      type: 'aws-sns-conn',
      from: { kind: 'plugin', alias: 'topic' },
    },
    {
      keys: ['shared_vpc'],
      name: 'vpc',
      type: 'aws-vpc-conn',
      from: { kind: 'context', attributes: { id: 'vpc-1' }, producer: {} as never },
    },
  ],
});
const manifest = { plugins: [producer, consumer] } as unknown as Manifest;

describe('wireModule', () => {
  it('passes each attribute of an in-run interface from the producer module into a variable', () => {
    const wiring = wireModule(consumer, manifest);
    expect(wiring.inputs).toEqual({
      stk_conn_orders_events__arn: 'module.topic.topic_arn',
      stk_conn_orders_events__name: 'module.topic.topic_name',
    });
    const attributes = {
      arn: '${var.stk_conn_orders_events__arn}',
      name: '${var.stk_conn_orders_events__name}',
    };
    expect(wiring.connections).toEqual({ source_topic: attributes, 'orders-events': attributes });
  });

  it('leaves interfaces from outside the run to their literal values', () => {
    expect(Object.keys(wireModule(consumer, manifest).connections)).not.toContain('shared_vpc');
    expect(wireModule(producer, manifest)).toEqual({ inputs: {}, connections: {} });
  });

  it('makes variable names Terraform identifiers', () => {
    expect(connectionVariable('a.b-c', 'x-y')).toBe('stk_conn_a_b_c__x_y');
  });
});

describe('checkModuleNames', () => {
  it('refuses every alias that cannot name a module, at once', () => {
    expect(() => checkModuleNames(['ok-alias', '1st', 'has.dot'])).toThrow(
      /Alias '1st' cannot name a Terraform module[\s\S]*Alias 'has\.dot'/,
    );
    expect(() => checkModuleNames(['ok-alias', '_x'])).not.toThrow();
  });
});
