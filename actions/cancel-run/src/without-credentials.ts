/**
 * cancel-run on a runner that has no AWS credentials at all: StackSpot's documented workflow runs
 * the cancel job on `ubuntu-latest` with only RUN_ID and the CLIENT_* inputs, so this is the normal
 * case for a team that copied it, not an accident. The run cannot be closed from here, and it need
 * not be: the next orchestrate-and-plan closes a run whose workflow run has ended (dead-run
 * detection). So the step says so in one warning and succeeds; a red job on every failed
 * deployment would be noise that teaches people to ignore the cancel job.
 */
import {
  howToGiveCredentials,
  type AwsCredentialInputNames,
  type RunRef,
} from '@deploy-engine/core';
import type { AwsSession } from '@deploy-engine/action-kit';

/**
 * True when the step was given no credential input and the runner has none of its own either (no
 * environment keys, profile, or container/instance role): the only case handled as a warning.
 * Credentials that were given but do not work stay an error.
 */
export async function runnerHasNoCredentials(
  source: { mode: string },
  session: AwsSession,
): Promise<boolean> {
  if (source.mode !== 'ambient') return false;
  try {
    await session.s3.config.credentials();
    return false;
  } catch {
    return true;
  }
}

/** The one annotation: what could not be done, why, why the next run still starts, what to give. */
export function withoutCredentialsMessage(ref: RunRef, names: AwsCredentialInputNames): string {
  return (
    `Could not close run ${ref.runId} in the IaC bucket ${ref.bucket}: this runner has no AWS credentials ` +
    `(no ${names.role} or ${names.keyId} input, and none of its own, as on GitHub-hosted runners such as ubuntu-latest). ` +
    `The next deployment will still start: once this workflow run has ended, the next orchestrate-and-plan ` +
    `finds the run's workflow run ended and closes it as ABORTED before it proceeds. ` +
    `To close it right away instead, run this job on a runner that can reach the bucket, or ${howToGiveCredentials(names)} to this step.`
  );
}
