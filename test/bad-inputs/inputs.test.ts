/**
 * The corpus's bad step inputs of orchestrate-and-plan (corpus.ts, group `input`, and any group
 * no other bad-inputs file takes) through the built bundle: each refused clearly, S3 left as it
 * was (refusals.ts).
 */
import { ORCHESTRATE_CASES, RUNTIME_CASES } from './corpus';
import { refuseOrchestrateCases } from './refusals';

jest.setTimeout(60000);

it('has at least 40 cases', () => {
  expect(ORCHESTRATE_CASES.length + RUNTIME_CASES.length).toBeGreaterThanOrEqual(40);
});

refuseOrchestrateCases('inputs');
