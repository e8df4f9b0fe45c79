/**
 * The AWS region Terraform and its providers run in (AWS_REGION / AWS_DEFAULT_REGION in Terraform's
 * environment), apart from the buckets' regions, which only our S3 clients and the S3 backend use.
 * orchestrate-and-plan plans in its AWS_REGION and records it with the run; runtime-tasks applies
 * in that same region: a reviewed plan made for one region is never applied in another.
 */
import { ConfigurationError } from '../errors';
import type { RunRecord } from '../runs';

/** An AWS region name: us-east-1, sa-east-1, us-gov-west-1, cn-north-1, ... */
export const AWS_REGION_NAME = {
  pattern: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  rule: 'an AWS region name such as us-east-1 or sa-east-1.',
};

/**
 * The region the run's tasks apply in: the one it was planned in (runs planned before it was
 * recorded ran Terraform in the IaC bucket's region). `given` (runtime-tasks' AWS_REGION, '' when
 * not given) must be that region: the plan reviewers approved addresses its resources there.
 */
export function applyRegion(
  given: string,
  run: Pick<RunRecord, 'runId' | 'awsRegion'> | undefined,
  iacBucketRegion: string,
): string {
  if (!run) return given || iacBucketRegion;
  const planned = run.awsRegion ?? iacBucketRegion;
  if (given !== '' && given !== planned) {
    throw new ConfigurationError({
      message: `Input AWS_REGION is ${given}, but run ${run.runId} was planned in ${planned}: the approved plans create and change resources in ${planned}, so they are not applied in ${given}.`,
      hint: `Leave AWS_REGION out on runtime-tasks (the planned region is used) or set it to ${planned}; to deploy to ${given}, plan again with AWS_REGION: ${given} on orchestrate-and-plan.`,
    });
  }
  return planned;
}
