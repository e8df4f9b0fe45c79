import { ConfigurationError, ExternalError } from '../errors';
import { describeDiagnostic, parseDiagnostics } from './diagnostics';
import { failureKind } from './failure-kind';
import { classifyTerraformFailure } from './terraform-output';

/** What Terraform 1.11 with hashicorp/aws 5.100.0 printed (-no-color) against failing APIs. */
const API_ERRORS = {
  reset:
    'creating SNS Topic (reset): operation error SNS: CreateTopic, exceeded maximum number of attempts, 1, https response error StatusCode: 0, RequestID: , request send failed, Post "http://127.0.0.1:5601/": EOF',
  unavailable:
    'creating RDS DB Parameter Group (unavailable): operation error RDS: CreateDBParameterGroup, exceeded maximum number of attempts, 1, https response error StatusCode: 503, RequestID: , api error UnknownError: UnknownError',
  expired:
    'requesting SES Email Identity (expired@example.com) verification: operation error SES: VerifyEmailIdentity, https response error StatusCode: 403, RequestID: , api error ExpiredToken: The security token included in the request is expired',
  denied:
    'creating IAM User (denied): operation error IAM: CreateUser, https response error StatusCode: 403, RequestID: , api error AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:CreateUser',
  throttled:
    'creating ElastiCache Parameter Group (throttled): operation error ElastiCache: CreateCacheParameterGroup, exceeded maximum number of attempts, 1, https response error StatusCode: 400, RequestID: , api error Throttling: Rate exceeded',
  unauthorized:
    'creating EC2 Instance: operation error EC2: RunInstances, https response error StatusCode: 403, RequestID: x, api error UnauthorizedOperation: You are not authorized to perform this operation.',
  limit:
    'reading EC2 Instances: operation error EC2: DescribeInstances, https response error StatusCode: 503, RequestID: x, api error RequestLimitExceeded: Request limit exceeded.',
  refused:
    'creating SQS Queue (q): operation error SQS: CreateQueue, https response error StatusCode: 0, RequestID: , request send failed, Post "http://127.0.0.1:9/": dial tcp 127.0.0.1:9: connect: connection refused',
  timeout:
    'creating SQS Queue (q): operation error SQS: CreateQueue, https response error StatusCode: 0, RequestID: , request send failed, Post "https://sqs.us-east-1.amazonaws.com/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
  invalidKey:
    'creating SNS Topic (t): operation error SNS: CreateTopic, https response error StatusCode: 403, RequestID: x, api error InvalidClientTokenId: The security token included in the request is invalid.',
};

describe('failureKind', () => {
  it.each([
    ['reset', 'outside'],
    ['unavailable', 'outside'],
    ['expired', 'outside'],
    ['throttled', 'outside'],
    ['limit', 'outside'],
    ['refused', 'outside'],
    ['timeout', 'outside'],
    ['invalidKey', 'outside'],
    ['denied', 'user'],
    ['unauthorized', 'user'],
  ] as const)('%s is %s', (name, owner) => {
    expect(failureKind({ summary: API_ERRORS[name], detail: '' }).owner).toBe(owner);
  });

  it('an invalid configuration is the user’s', () => {
    expect(
      failureKind({
        summary: 'Unsupported argument',
        detail: 'An argument named "bogus" is not expected here.',
      }),
    ).toEqual({ owner: 'user' });
  });
});

describe('parseDiagnostics', () => {
  const framed = [
    '╷',
    '│ Warning: Argument is deprecated',
    '│ ',
    '│   with aws_s3_bucket.b,',
    '│   on main.tf line 17, in resource "aws_s3_bucket" "b":',
    '│   17:   acl    = "private"',
    '│ ',
    '│ acl is deprecated. Use the aws_s3_bucket_acl resource instead.',
    '│ ',
    '│ (and one more similar warning elsewhere)',
    '╵',
    '╷',
    `│ Error: ${API_ERRORS.denied}`,
    '│ ',
    '│   with aws_iam_user.denied,',
    '│   on main.tf line 27, in resource "aws_iam_user" "denied":',
    '│   27: resource "aws_iam_user" "denied" {',
    '│ ',
    '╵',
  ].join('\n');

  it('reads warnings and errors with their file, line and resource, without the frame', () => {
    expect(parseDiagnostics(framed)).toEqual([
      {
        severity: 'warning',
        summary: 'Argument is deprecated',
        detail:
          'acl is deprecated. Use the aws_s3_bucket_acl resource instead. (and one more similar warning elsewhere)',
        address: 'aws_s3_bucket.b',
        file: 'main.tf',
        line: 17,
      },
      {
        severity: 'error',
        summary: API_ERRORS.denied,
        detail: '',
        address: 'aws_iam_user.denied',
        file: 'main.tf',
        line: 27,
      },
    ]);
  });

  it('ends a warning where Terraform goes on with its own output (-no-color)', () => {
    const output =
      'Plan: 2 to add, 0 to change, 0 to destroy.\n\nWarning: Argument is deprecated\n\n  with aws_s3_bucket.b,\n  on main.tf line 17, in resource "aws_s3_bucket" "b":\n  17:   acl    = "private"\n\nacl is deprecated.\n\n─────────────────────────────────────────────────────────────────────────────\n\nSaved the plan to: x.tfplan\n\nTo perform exactly these actions, run the following command to apply:\n    terraform apply "x.tfplan"\n';
    expect(parseDiagnostics(output)).toEqual([
      expect.objectContaining({ detail: 'acl is deprecated.', line: 17 }),
    ]);
  });

  it('says when a line is a guess, and where a file of a downloaded module is', () => {
    expect(
      describeDiagnostic({
        severity: 'error',
        summary: 'Bad',
        detail: 'd',
        location: { file: 'p/templates-deploy/main.tf', line: 4 },
        near: true,
        note: 'in a downloaded module, .terraform/modules/m/x.tf line 2',
      }),
    ).toBe(
      'Terraform: Bad (d) [near line 4; in a downloaded module, .terraform/modules/m/x.tf line 2]',
    );
  });
});

describe('classifyTerraformFailure', () => {
  it('an AccessDenied alone is a configuration error; with a throttled call beside it, an outside one naming both', () => {
    const block = (text: string, line: number) =>
      `\nError: ${text}\n\n  with x.y,\n  on main.tf line ${line}, in resource "x" "y":\n  ${line}: resource "x" "y" {\n\n`;
    const denied = classifyTerraformFailure('apply', block(API_ERRORS.denied, 3), 'p');
    expect(denied).toBeInstanceOf(ConfigurationError);
    const both = classifyTerraformFailure(
      'apply',
      block(API_ERRORS.denied, 3) + block(API_ERRORS.throttled, 9),
      'p',
    ) as ExternalError;
    expect(both).toBeInstanceOf(ExternalError);
    expect(both.retryable).toBe(true);
    expect(both.problems.map((p) => p.location)).toEqual([
      { file: 'p/main.tf', line: 3 },
      { file: 'p/main.tf', line: 9 },
    ]);
    expect(both.summary).toBe('terraform apply failed in p');
  });

  it('keeps no frame character in the message when Terraform printed no diagnostic', () => {
    const error = classifyTerraformFailure('init', '╷\n│ something odd\n╵\n', 'p');
    expect(error.message).toBe('terraform init failed in p: something odd');
  });
});
