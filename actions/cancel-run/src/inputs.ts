/** Every input of cancel-run, parsed and validated before anything else happens. */
import { readAwsCredentials, readUnusedInputs, type InputParser } from '@deploy-engine/action-kit';
import type { AwsCredentialInputNames, AwsCredentialSource } from '@deploy-engine/core';

/** cancel-run's credential inputs, named as runtime-tasks names them. */
export const CANCEL_CREDENTIAL_INPUTS: AwsCredentialInputNames = {
  role: 'AWS_ROLE_ARN',
  keyId: 'AWS_ACCESS_KEY_ID',
  secret: 'AWS_SECRET_ACCESS_KEY',
  token: 'AWS_SESSION_TOKEN',
};

export interface CancelInputs {
  /** Empty when orchestrate-and-plan never opened a run: then there is nothing to cancel. */
  runId: string;
  forceCancel: boolean;
  credentials: AwsCredentialSource;
}

export function parseCancelInputs(p: InputParser): { inputs: CancelInputs; warnings: string[] } {
  readUnusedInputs(
    p,
    ['CLIENT_ID', 'CLIENT_KEY', 'CLIENT_REALM'],
    ['CLIENT_KEY'],
    'this engine needs no StackSpot account.',
  );
  const credentials = readAwsCredentials(p, CANCEL_CREDENTIAL_INPUTS);
  const inputs: CancelInputs = {
    runId: p.optional('RUN_ID'),
    forceCancel: p.boolean('FORCE_CANCEL', true),
    credentials,
  };
  return { inputs, warnings: p.finish('cancel-run') };
}
