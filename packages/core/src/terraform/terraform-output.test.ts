import { ConfigurationError, ExternalError } from '../errors';
import {
  classifyTerraformFailure,
  parseChangeSummary,
  parseStateLockInfo,
} from './terraform-output';

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

describe('parseStateLockInfo', () => {
  it("reads Terraform's Lock Info block", () => {
    const output = [
      'Error: Error acquiring the state lock',
      '',
      'Error message: operation error S3: PutObject, https response error StatusCode: 412',
      'Lock Info:',
      '  ID:        5fe03bd5-4dc8-9d4e-5ebe-48a860809938',
      '  Path:      tf/shop/dev/app/x/topic/terraform.tfstate',
      '  Operation: OperationTypeApply',
      '  Who:       root@vm',
      '  Version:   1.11.4',
      '  Created:   2026-11-23 17:55:08.669349081 +0000 UTC',
      '  Info:      ',
    ].join('\n');
    expect(parseStateLockInfo(output)).toEqual({
      id: '5fe03bd5-4dc8-9d4e-5ebe-48a860809938',
      path: 'tf/shop/dev/app/x/topic/terraform.tfstate',
      operation: 'OperationTypeApply',
      who: 'root@vm',
      created: '2026-11-23 17:55:08.669349081 +0000 UTC',
    });
    expect(parseStateLockInfo('Error: something else')).toBeUndefined();
  });
});
