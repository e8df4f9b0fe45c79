/**
 * FEATURES_TERRAFORM_REMOTE_STATE: the other states a project may read with
 * `data "terraform_remote_state"` (backend "s3" only), as a JSON list of
 * `{"bucket": "...", "keyPrefix": "..."}`. Empty by default: applications share values through
 * Connection Interfaces, and a remote state holds every value of another application.
 */

export interface AllowedRemoteState {
  bucket: string;
  keyPrefix: string;
}

/** Parses the input; throws an Error naming the element and field that are wrong. */
export function parseAllowedRemoteStates(raw: string): AllowedRemoteState[] {
  if (raw.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `is not valid JSON (${(error as Error).message}). Expected a list such as [{"bucket": "shared-states", "keyPrefix": "network/"}].`,
    );
  }
  if (!Array.isArray(value)) throw new Error('must be a JSON list of {"bucket", "keyPrefix"}.');
  return value.map((item: unknown, index) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    if (typeof entry.bucket !== 'string' || entry.bucket === '')
      throw new Error(`element ${index} has no "bucket".`);
    if (typeof entry.keyPrefix !== 'string' || entry.keyPrefix === '')
      throw new Error(
        `element ${index} has no "keyPrefix" (a whole bucket cannot be allowed: give the states' common prefix).`,
      );
    return { bucket: entry.bucket, keyPrefix: entry.keyPrefix };
  });
}
