import { mapOutputsToConnections } from './connection-outputs';

const producer = {
  appKind: 'app' as const,
  appId: 'A1',
  appName: 'orders',
  alias: 'queue',
  runId: 'R1',
};
const now = new Date('2026-11-22T12:00:00Z');

describe('mapOutputsToConnections', () => {
  it('maps from/to and remembers sensitive attributes', () => {
    const result = mapOutputsToConnections(
      [
        {
          name: 'orders-sqs',
          type: 'aws-sqs-conn',
          outputs: [
            { from: 'sqs_queue_arn', to: 'arn' },
            { from: 'sqs_queue_url', to: 'url' },
          ],
        },
      ],
      {
        sqs_queue_arn: { value: 'arn:q', sensitive: false },
        sqs_queue_url: { value: 'https://q', sensitive: true },
        other: { value: 1, sensitive: false },
      },
      producer,
      now,
      'plugins/q/plugin.yaml',
    );
    expect(result.problems).toEqual([]);
    expect(result.instances).toEqual([
      {
        name: 'orders-sqs',
        type: 'aws-sqs-conn',
        attributes: { arn: 'arn:q', url: 'https://q' },
        producer,
        updatedAt: '2026-11-22T12:00:00.000Z',
      },
    ]);
    expect(result.sensitive).toEqual({ 'orders-sqs': ['url'] });
  });

  it('names a missing output and the outputs that exist', () => {
    const result = mapOutputsToConnections(
      [{ name: 'orders-sqs', type: 'aws-sqs-conn', outputs: [{ from: 'queue_arn', to: 'arn' }] }],
      { sqs_queue_arn: { value: 'arn:q', sensitive: false } },
      producer,
      now,
      'plugins/q/plugin.yaml',
    );
    expect(result.problems).toEqual([
      expect.objectContaining({
        message:
          "Connection Interface orders-sqs (aws-sqs-conn) maps output 'queue_arn' to 'arn', but the deployed Terraform has no output 'queue_arn' (it has: sqs_queue_arn).",
        location: { file: 'plugins/q/plugin.yaml' },
      }),
    ]);
  });
});
