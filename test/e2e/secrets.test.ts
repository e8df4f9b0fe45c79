/**
 * Every credential, token and secret input of the three bundles, given secret-looking values, is
 * masked before use and appears nowhere: not in stdout/stderr (but the ::add-mask:: lines), the
 * outputs, the summary, the files left under RUNNER_TEMP or the workspace, nor in any object the
 * run wrote to S3 (records, rendered IaC, plans, Terraform state). Both modes, and cancel-run.
 */
import { e2eFixture } from '../harness/e2e-fixture';
import { leaksOf } from '../harness/leaks';
import type { ActionResult } from '../harness/runner';

const SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIASECRETLOOKING7Q2Z',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzSECRETSESSIONTOKEN0123456789abcdef',
  STK_CLIENT_ID: 'stk-client-id-secret-0123',
  STK_CLIENT_SECRET: 'stk-client-secret-4567-SECRET',
  CLIENT_KEY: 'client-key-secret-89ab-SECRET',
  MODULE_TOKEN: 'ghp_moduleTokenSECRET0123456789abcdefgh',
  GITHUB_TOKEN: 'ghs_githubTokenSECRET0123456789abcdefgh',
};
const FEATURES_TERRAFORM_MODULES = JSON.stringify([
  { sourceType: 'gitHttps', path: 'github.com/acme', private: true, token: SECRETS.MODULE_TOKEN },
]);
const AWS_KEYS = {
  AWS_ACCESS_KEY_ID: SECRETS.AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRETS.AWS_SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: SECRETS.AWS_SESSION_TOKEN,
};

const flow = e2eFixture({ name: 'sec' });

function orchestrate(workdir: string, extra: Record<string, string> = {}): Promise<ActionResult> {
  return flow.orchestrate(workdir, {
    STK_CLIENT_ID: SECRETS.STK_CLIENT_ID,
    STK_CLIENT_SECRET: SECRETS.STK_CLIENT_SECRET,
    FEATURES_TERRAFORM_MODULES,
    GITHUB_TOKEN: SECRETS.GITHUB_TOKEN,
    LOCAL_EXEC_ENABLED: 'false',
    ...AWS_KEYS,
    ...extra,
  });
}

function apply(plan: ActionResult): Promise<ActionResult> {
  return flow.apply(plan, {
    with: {
      CLIENT_ID: SECRETS.STK_CLIENT_ID,
      CLIENT_KEY: SECRETS.CLIENT_KEY,
      FEATURES_TERRAFORM_MODULES,
      LOCALEXEC_ENABLED: 'false',
      ...AWS_KEYS,
    },
  });
}

function cancel(runId: string): Promise<ActionResult> {
  return flow.cancel(runId, {
    with: { CLIENT_ID: SECRETS.STK_CLIENT_ID, CLIENT_KEY: SECRETS.CLIENT_KEY, ...AWS_KEYS },
  });
}

function expectNothingLeaked(results: ActionResult[]): void {
  const leaks = results.flatMap((result, index) =>
    Object.entries(SECRETS).flatMap(([name, value]) =>
      leaksOf(result, value).map((place) => `step ${index}: ${name} in ${place}`),
    ),
  );
  expect(leaks).toEqual([]);
}

async function expectNothingInS3(): Promise<void> {
  const found: string[] = [];
  for (const bucket of ['sec-tfstate', 'sec-iac']) {
    for (const key of await flow.moto.listKeys(bucket)) {
      const text = await flow.moto.getObjectText(bucket, key);
      for (const [name, value] of Object.entries(SECRETS))
        if (text.includes(value)) found.push(`${name} in s3://${bucket}/${key}`);
    }
  }
  expect(found).toEqual([]);
}

it('classic mode: orchestrate, runtime-tasks, then a run cancelled by cancel-run leak nothing', async () => {
  const plan = await orchestrate('diamond');
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const deployed = await apply(plan);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.any(String)]);
  const second = await orchestrate('diamond', { VERSION: 'v2', DYNAMIC_INPUTS: '--label changed' });
  expect([second.exitCode, second.log]).toEqual([0, expect.any(String)]);
  const cancelled = await cancel(second.outputs.run_id ?? '');
  expect([cancelled.exitCode, cancelled.log]).toEqual([0, expect.stringContaining('ABORTED')]);

  const results = [plan, deployed, second, cancelled];
  expectNothingLeaked(results);
  for (const result of results) {
    // Each step registers the credentials before it prints anything else.
    const lines = result.stdout.split('\n');
    const firstOther = lines.findIndex(
      (line) => !line.startsWith('::add-mask::') && !line.startsWith('::debug::'),
    );
    const mask = lines.indexOf(`::add-mask::${SECRETS.AWS_SECRET_ACCESS_KEY}`);
    expect([mask >= 0, mask < firstOther]).toEqual([true, true]);
  }
  await expectNothingInS3();
});

it('unified mode: the saved plans and state hold no secret either', async () => {
  const plan = await orchestrate('replan', {
    FEATURES_UNIFIED_DEPLOY: 'true',
    DYNAMIC_INPUTS: '--label l --suffix s',
  });
  expect([plan.exitCode, plan.log]).toEqual([0, expect.any(String)]);
  const deployed = await apply(plan);
  expect([deployed.exitCode, deployed.log]).toEqual([0, expect.any(String)]);
  expectNothingLeaked([plan, deployed]);
  await expectNothingInS3();
});
