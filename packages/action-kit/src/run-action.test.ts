import { ConfigurationError, ExternalError } from '@deploy-engine/core';
import { reportFailure } from './run-action';

/** The workflow commands reportFailure prints (stdout), as the runner reads them. */
function printed(error: unknown): string[] {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split(/\r?\n/).filter(Boolean));
    return true;
  };
  try {
    reportFailure('runtime-tasks', error);
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
  return lines;
}

describe('reportFailure', () => {
  it('reports each problem once: located ones as annotations, the failure pointing at them', () => {
    const lines = printed(
      new ConfigurationError(
        [
          { message: 'Terraform: Unsupported argument', location: { file: 'p/main.tf', line: 8 } },
          { message: 'Terraform: Missing variable', location: { file: 'p/vars.tf', line: 2 } },
          { message: 'no place' },
        ],
        'terraform plan failed in p',
      ),
    );
    expect(lines).toEqual([
      '::error file=p/main.tf,line=8::p/main.tf:8: Terraform: Unsupported argument',
      '::error file=p/vars.tf,line=2::p/vars.tf:2: Terraform: Missing variable',
      '::error::runtime-tasks: configuration error. terraform plan failed in p. See the annotations at p/main.tf:8, p/vars.tf:2. Also:%0A  - no place',
    ]);
  });

  it('annotates the places of an outside failure too, and says a re-run may succeed', () => {
    const lines = printed(
      new ExternalError('terraform apply failed in p: Terraform: creating SNS Topic: Throttling', {
        retryable: true,
        summary: 'terraform apply failed in p',
        problems: [
          {
            message: 'Terraform: creating SNS Topic: Throttling',
            location: { file: 'p/main.tf', line: 3 },
          },
        ],
      }),
    );
    expect(lines).toEqual([
      '::error file=p/main.tf,line=3::p/main.tf:3: Terraform: creating SNS Topic: Throttling',
      '::error::runtime-tasks: terraform apply failed in p. See the annotation at p/main.tf:3. Re-running the job may succeed.',
    ]);
  });
});
