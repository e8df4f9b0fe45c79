/**
 * RUN_ID: what orchestrate-and-plan outputs and runtime-tasks and cancel-run take. It carries where
 * the run lives, so those actions need no bucket input: `<ULID>@<iac-bucket>`, with `:<region>`
 * when the bucket is not in us-east-1 (bucket names hold neither '@' nor ':'). No secret inside.
 */
import { ConfigurationError } from '../errors';

export interface RunRef {
  runId: string;
  bucket: string;
  region: string;
}

const DEFAULT_REGION = 'us-east-1';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function formatRunRef(ref: RunRef): string {
  return `${ref.runId}@${ref.bucket}${ref.region && ref.region !== DEFAULT_REGION ? `:${ref.region}` : ''}`;
}

export function parseRunRef(text: string): RunRef {
  const match = /^([^@]+)@([^:]+)(?::(.+))?$/.exec(text.trim());
  const [, runId, bucket, region] = match ?? [];
  if (
    !runId ||
    !bucket ||
    !ULID.test(runId) ||
    !BUCKET.test(bucket) ||
    (region !== undefined && !REGION.test(region))
  ) {
    throw new ConfigurationError({
      message: `RUN_ID '${text}' is not a run id of this engine.`,
      hint: 'Expected <ULID>@<iac-bucket>[:<region>], e.g. 01J9V6MWFTWQ392331QBCS46KQ@acme-iac:sa-east-1: pass the run_id output of orchestrate-and-plan unchanged.',
    });
  }
  return { runId, bucket, region: region ?? DEFAULT_REGION };
}
