/** Every input of cancel-run, parsed and validated before anything else happens. */
import { readUnusedInputs, type InputParser } from '@deploy-engine/action-kit';

export interface CancelInputs {
  /** Empty when orchestrate-and-plan never opened a run: then there is nothing to cancel. */
  runId: string;
  forceCancel: boolean;
}

export function parseCancelInputs(p: InputParser): { inputs: CancelInputs; warnings: string[] } {
  readUnusedInputs(
    p,
    ['CLIENT_ID', 'CLIENT_KEY', 'CLIENT_REALM'],
    ['CLIENT_KEY'],
    'this engine needs no StackSpot account.',
  );
  const inputs: CancelInputs = {
    runId: p.optional('RUN_ID'),
    forceCancel: p.boolean('FORCE_CANCEL', true),
  };
  return { inputs, warnings: p.finish('cancel-run') };
}
