/**
 * Whose failure a Terraform error is, as a user would say it. The cloud failing (throttling, a 5xx,
 * a timeout, a reset or refused connection, credentials expired or not accepted) is an outside
 * failure: running again may succeed. An invalid configuration, or a permission the credentials do
 * not have (AccessDenied, UnauthorizedOperation, 403), is the user's: running again will not help
 * until they change something.
 */
import type { TerraformDiagnostic } from './diagnostics';

export type FailureKind =
  { owner: 'outside'; retryable: boolean; hint?: string } | { owner: 'user'; hint?: string };

/** Credentials the cloud did not accept: a new job gets new ones (OIDC, a rotated key). */
const CREDENTIALS =
  /ExpiredToken|RequestExpired|token included in the request is (expired|invalid)|InvalidClientTokenId|UnrecognizedClientException|InvalidAccessKeyId|SignatureDoesNotMatch|AuthFailure|No valid credential sources found|failed to refresh cached credentials|NoCredentialProviders/i;
const THROTTLED =
  /Throttl|RequestLimitExceeded|TooManyRequests|Rate exceeded|SlowDown|RequestThrottled|ProvisionedThroughputExceeded|PriorRequestNotComplete|StatusCode: 429/i;
const SERVER =
  /StatusCode: 5\d\d|InternalError|InternalFailure|InternalServerError|ServiceUnavailable|Service Unavailable|BadGateway|GatewayTimeout|status code:? 5\d\d/i;
const NETWORK =
  /connection reset|connection refused|broken pipe|i\/o timeout|deadline exceeded|handshake timeout|no such host|dial tcp|request send failed|send request failed|network is unreachable|Client\.Timeout|RequestTimeout|RequestError|timeout while waiting|: EOF\b/i;
/** The state lock and the state backend (the engine's bucket): not the plugin's doing. */
const BACKEND =
  /Error acquiring the state lock|error configuring S3 Backend|Failed to get existing workspaces|Failed to load state|Failed to save state|Failed to persist state|NoSuchBucket/i;
const LOCK = /Error acquiring the state lock/i;
const REFUSED =
  /AccessDenied|UnauthorizedOperation|AuthorizationError|AuthorizationFailure|\bForbidden\b|not authorized to perform|StatusCode: 403|explicit deny|returned error: 40[13]/i;
const GIT_CREDENTIALS = /could not read Username|Authentication failed for|returned error: 40[13]/;

/** Whose failure one diagnostic is (read from its summary and detail). */
export function failureKind(
  diagnostic: Pick<TerraformDiagnostic, 'summary' | 'detail'>,
): FailureKind {
  const text = `${diagnostic.summary} ${diagnostic.detail}`;
  if (CREDENTIALS.test(text))
    return {
      owner: 'outside',
      retryable: true,
      hint: 'The cloud did not accept the credentials Terraform ran with (expired or invalid): check how the workflow obtains them (role, OIDC, secrets), then run the job again.',
    };
  if (THROTTLED.test(text) || SERVER.test(text) || NETWORK.test(text))
    return { owner: 'outside', retryable: true };
  if (GIT_CREDENTIALS.test(text))
    return {
      owner: 'user',
      hint: 'The git server wants credentials: give this source a FEATURES_TERRAFORM_MODULES entry with "private": true and a "token" that can read it.',
    };
  if (REFUSED.test(text))
    return {
      owner: 'user',
      hint: 'The credentials Terraform runs with are refused this action: grant it to the role the workflow uses (or change what the plugin creates), then run again.',
    };
  if (BACKEND.test(text)) return { owner: 'outside', retryable: LOCK.test(text) };
  return { owner: 'user' };
}
