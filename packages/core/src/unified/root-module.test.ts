import {
  connectionsFile,
  type UnifiedModule,
  moduleOutputs,
  modulesFile,
  outputsFile,
} from './root-module';

describe('the unified root module', () => {
  it('finds the top-level outputs of a module and whether they are sensitive', async () => {
    const files = new Map([
      [
        'outputs.tf',
        'output "arn" {\n  value = aws_sns_topic.t.arn\n}\n\noutput "key" {\n  value     = random_password.p.result\n  sensitive = true\n}\n',
      ],
      ['main.tf', '# output "commented" {}\nresource "x" "y" {\n  name = "output \\"no\\" {"\n}\n'],
      ['sub-module/outputs.tf', 'output "inner" {\n  value = 1\n}\n'],
    ]);
    expect(await moduleOutputs(files)).toEqual([
      { name: 'arn', sensitive: false },
      { name: 'key', sensitive: true },
    ]);
  });

  it('writes module calls with their wiring, root outputs and variable declarations', () => {
    const modules: UnifiedModule[] = [
      { alias: 'topic', inputs: {}, outputs: [{ name: 'arn', sensitive: false }] },
      {
        alias: 'queue',
        inputs: { stk_conn_t__arn: 'module.topic.arn' },
        outputs: [{ name: 'secret', sensitive: true }],
      },
    ];
    expect(modulesFile(modules)).toContain(
      'module "queue" {\n  source = "./queue"\n  stk_conn_t__arn = module.topic.arn\n}\n',
    );
    expect(outputsFile(modules[1] as never)).toContain(
      'output "queue__secret" {\n  value = module.queue.secret\n  sensitive = true\n}\n',
    );
    expect(connectionsFile({ stk_conn_t__arn: 'module.topic.arn' })).toContain(
      'variable "stk_conn_t__arn" {}',
    );
    expect(connectionsFile({})).toBeUndefined();
  });
});
