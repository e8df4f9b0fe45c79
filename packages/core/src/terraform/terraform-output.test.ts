import { ConfigurationError, ExternalError } from '../errors';
import { stateKey } from './state-key';
import { classifyTerraformFailure, parseChangeSummary } from './terraform-output';

describe('parseChangeSummary', () => {
  it.each([
    [
      'Apply complete! Resources: 2 added, 1 changed, 0 destroyed.',
      { added: 2, changed: 1, destroyed: 0 },
    ],
    ['Destroy complete! Resources: 3 destroyed.', { added: 0, changed: 0, destroyed: 3 }],
    ['Plan: 1 to add, 0 to change, 4 to destroy.', { added: 1, changed: 0, destroyed: 4 }],
    [
      'No changes. Your infrastructure matches the configuration.',
      { added: 0, changed: 0, destroyed: 0 },
    ],
    ['something else', undefined],
  ])('%s', (text, expected) => {
    expect(parseChangeSummary(text)).toEqual(expected);
  });
});

describe('classifyTerraformFailure', () => {
  it('makes a configuration error of a plugin mistake, with file and line', () => {
    const output =
      '╷\n│ Error: Reference to undeclared resource\n│ \n│   on outputs.tf line 2, in output "x":\n│    2:   value = aws_sns_topic.t.arn\n│ \n│ A managed resource "aws_sns_topic" "t" has not been declared in the root module.\n╵\n';
    const error = classifyTerraformFailure('apply', output, 'iac/topic');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      {
        message:
          'Terraform: Reference to undeclared resource (A managed resource "aws_sns_topic" "t" has not been declared in the root module.)',
        location: { file: 'iac/topic/outputs.tf', line: 2 },
      },
    ]);
  });

  it('makes an outside failure of a held state lock, retryable', () => {
    const error = classifyTerraformFailure(
      'apply',
      '│ Error: Error acquiring the state lock\n│ \n│ Error message: operation error S3: PutObject, https response error StatusCode: 412',
      'iac/x',
    );
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).retryable).toBe(true);
  });

  it('makes an outside failure of an unreachable backend', () => {
    expect(
      classifyTerraformFailure(
        'init',
        'Error: Failed to get existing workspaces: dial tcp 127.0.0.1:1: connect: connection refused',
        'iac/x',
      ),
    ).toBeInstanceOf(ExternalError);
  });
});

describe('stateKey', () => {
  it('gives one key per workspace, environment, target and alias', () => {
    expect(
      stateKey({
        workspace: 'shop',
        environment: 'prod',
        appKind: 'infra',
        appId: '01JX',
        alias: 'topic',
      }),
    ).toBe('shop/prod/infra/01JX/topic/terraform.tfstate');
  });

  it('refuses parts that could reach another key', () => {
    expect(() =>
      stateKey({
        workspace: 'shop/../other',
        environment: 'prod',
        appKind: 'app',
        appId: 'A',
        alias: 'x',
      }),
    ).toThrow(/workspace 'shop\/\.\.\/other' cannot be part of a Terraform state key/);
    expect(() =>
      stateKey({ workspace: 'a', environment: '', appKind: 'app', appId: 'A', alias: 'x' }),
    ).toThrow(/environment ''/);
  });
});
