/**
 * The corpus's bad inputs of runtime-tasks (corpus.ts, RUNTIME_CASES) through the built bundle,
 * on the run opened for them: each refused clearly, S3 left as it was, the run included
 * (refusals.ts).
 */
import { RUNTIME_CASES } from './corpus';
import { refusalSuite } from './refusals';

jest.setTimeout(60000);

const { flow, expectRefused, limits, openRun } = refusalSuite();

describe('runtime-tasks', () => {
  it.each(RUNTIME_CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const runId = openRun().outputs.run_id ?? '';
    const withInputs = Object.fromEntries(
      Object.entries(testCase.with ?? {}).map(([k, v]) => [k, v.replace('BUCKET', flow.iacBucket)]),
    );
    await expectRefused(
      () => flow.apply(openRun(), { ...limits, with: { RUN_ID: runId, ...withInputs } }),
      testCase,
    );
  });
});
