/**
 * Policy checks (POLICY_COMMAND) through the built bundles: one application deployed once with the
 * example policy of examples/policies (the consumer planned only after approval is checked by
 * runtime-tasks), then the bad cases, each a run that must end refused, closed and unlocked:
 * a refusing command, a missing one, one that hangs (stopped after POLICY_TIMEOUT_SECONDS), one
 * killed by a signal, one that prints a secret and the plan's sensitive values (masked in the log,
 * the summary, the annotations and the records), runtime-tasks refusing a plan it made itself,
 * and runtime-tasks refusing a saved plan whose record says the policy refused it.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/action-metadata';
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk, explain } from '../harness/expect-step';
import { leaksOf } from '../harness/leaks';
import type { ActionResult } from '../harness/runner';

jest.setTimeout(120_000);

const flow = e2eFixture({ name: 'pol' });
const EXAMPLE = `node ${join(REPO_ROOT, 'examples', 'policies', 'plan-policy.mjs')}`;
const SENSITIVE = 'policy-SENSITIVE-vault-4711';
const SECRET_KEY = 'wJalrXUtnPOLICY/K7MDENG/bPxRfiCYSECRETKEY9';

const APP = `    - name: acme/policy-target@1.0.0
      alias: vault
      type: infra
      inputs: { label: vault }
      connections:
        generates:
          - { type: diamond-conn, selected: pol-vault, alias: out }
    - name: acme/node-b@1.0.0
      alias: reader
      type: infra
      inputs:
        upstream: { stk-type: required-connection, selected: pol-vault, type: diamond-conn }
`;

let deployedPlan: ActionResult;
let deployed: ActionResult;

beforeAll(async () => {
  flow.writeApp('pol', '01JP0L1CY00000000000000000', APP);
  deployedPlan = await flow.orchestrate('pol', { POLICY_COMMAND: EXAMPLE });
  expectOk(deployedPlan);
  deployed = await flow.apply(deployedPlan, { with: { POLICY_COMMAND: EXAMPLE } });
  expectOk(deployed);
}, 120_000);

/** The run the step opened is closed as `status` and nothing holds a lock. */
async function expectClosed(runId: string, status: string): Promise<void> {
  const run = (await flow.runs()).find((r) => r.runId === runId);
  expect(run?.status).toBe(status);
  expect(await flow.lockKeys()).toEqual([]);
  expect(await flow.terraformLocks()).toEqual([]);
}

/** The id of the run a step opened, from its log. */
function openedRun(result: ActionResult): string {
  return /successfully started with ID: (\S+)/.exec(result.log)?.[1] ?? '';
}

/** orchestrate-and-plan with a policy that must refuse; its run closed USER_ERROR, unlocked. */
async function refused(policy: Record<string, string>): Promise<ActionResult> {
  const plan = await flow.orchestrate('pol', { VERSION: 'v2', ...policy });
  expect([plan.exitCode, explain(plan)]).toEqual([1, expect.any(String)]);
  expect(plan.outputs.run_id).toBe('');
  await expectClosed(openedRun(plan), 'USER_ERROR');
  expect(plan.summary).toContain('Policy checks');
  expect(plan.summary).toContain('refused');
  return plan;
}

it('a passing policy: the run is approvable, and runtime-tasks checks the plan it makes itself', () => {
  expect(deployedPlan.outputs.run_id).not.toBe('');
  expect(deployedPlan.log).toContain('policy | plan-policy: the plan of vault passes');
  expect(deployedPlan.summary).toMatch(
    /Policy checks[\s\S]*<code>vault<\/code> \(deploy\)[\s\S]*✅ passed/,
  );
  // reader required what vault creates: planned only after approval, by runtime-tasks.
  expect(deployed.log).toContain('policy | plan-policy: the plan of reader passes');
  expect(deployed.summary).toMatch(
    /Policy checks[\s\S]*<code>reader<\/code> \(deploy, planned by runtime-tasks\)[\s\S]*✅ passed/,
  );
});

it('a refusing policy fails the PLAN with USER_ERROR naming the plugin and showing the output; the next run opens', async () => {
  const plan = await refused({
    POLICY_COMMAND: 'echo "DENY $DEPLOY_ENGINE_PLUGIN: not today"; exit 3',
  });
  expect(errorsOf(plan)).toContain(
    'The policy (POLICY_COMMAND) refused the plan of vault: the command exited with code 3. Its output:\nDENY vault: not today',
  );
  expect(plan.summary).toContain('DENY vault: not today');
});

it('a missing command, a signal and a command that hangs are refusals too, the hang within bounded time', async () => {
  const missing = await refused({ POLICY_COMMAND: 'no-such-policy-tool --check' });
  expect(errorsOf(missing)).toContain('exited with code 127 (bash: command not found)');
  expect(errorsOf(missing)).toContain('no-such-policy-tool: command not found');

  const killed = await refused({ POLICY_COMMAND: 'kill -KILL $$' });
  expect(errorsOf(killed)).toContain('the command was killed by SIGKILL');

  const started = Date.now();
  const hung = await refused({
    POLICY_COMMAND: "trap '' INT TERM; echo checking; sleep 600",
    POLICY_TIMEOUT_SECONDS: '1',
  });
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(errorsOf(hung)).toContain(
    'the command did not finish within 1 s (POLICY_TIMEOUT_SECONDS) and was stopped',
  );
});

it("a policy that prints a secret and the plan's sensitive values: masked in the log, summary, annotations and records", async () => {
  const plan = await refused({
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_ACCESS_KEY_ID: 'AKIAPOLICYTEST0000001',
    POLICY_COMMAND: `echo "key=${SECRET_KEY}"; cat "$DEPLOY_ENGINE_PLAN_JSON"; echo; env; exit 1`,
  });
  // It ran and printed the plan: the sensitive value's place shows masked.
  expect(plan.log).toContain('policy | key=***');
  expect(plan.summary).toContain('key=***');
  // Only the DEPLOY_ENGINE_* variables, PATH, HOME and TMPDIR reached it.
  expect(plan.log).toContain('DEPLOY_ENGINE_PLUGIN=vault');
  expect(plan.log).not.toMatch(/policy \| AWS_/);
  for (const value of [SECRET_KEY, SENSITIVE]) {
    expect(leaksOf(plan, value)).toEqual([]);
    expect(errorsOf(plan)).not.toContain(value);
  }
  const records: string[] = [];
  for (const key of await flow.moto.listKeys(flow.iacBucket, `runs/${openedRun(plan)}/`)) {
    if (key.endsWith('.tfplan') || key.endsWith('.zip')) continue;
    const text = await flow.moto.getObjectText(flow.iacBucket, key);
    if (text.includes(SECRET_KEY) || text.includes(SENSITIVE)) records.push(key);
  }
  expect(records).toEqual([]);
});

it('runtime-tasks refuses a plan it makes itself when its policy refuses it: nothing of it applied', async () => {
  flow.writeApp(
    'pol2',
    '01JP0L1CY00000000000000002',
    APP.replace(/pol-vault/g, 'pol2-vault').replace('label: vault', 'label: vault2'),
  );
  const plan = await flow.orchestrate('pol2');
  expectOk(plan);
  const serials = await flow.stateSerials();
  const apply = await flow.apply(plan, {
    with: {
      POLICY_COMMAND: '[ "$DEPLOY_ENGINE_STAGE" != apply ] || { echo "no late plans"; exit 1; }',
    },
  });
  expect([apply.exitCode, explain(apply)]).toEqual([1, expect.any(String)]);
  expect(errorsOf(apply)).toContain('refused the plan of reader: the command exited with code 1');
  expect(apply.summary).toContain('no late plans');
  await expectClosed(openedRun(plan), 'USER_ERROR');
  // vault was applied (its reviewed plan), reader got no state.
  const after = Object.keys(await flow.stateSerials()).filter((k) => !(k in serials));
  expect(after.some((k) => k.includes('vault'))).toBe(true);
  expect(after.some((k) => k.includes('reader'))).toBe(false);
});

it('runtime-tasks refuses a saved plan whose record says the policy refused it', async () => {
  const plan = await flow.orchestrate('pol', { VERSION: 'v3' });
  expectOk(plan);
  const runId = openedRun(plan);
  const runs = flow.runStore();
  const record = await runs.getArtifact<Record<string, unknown>>(runId, 'plans/plugins/vault');
  expect(record).toBeDefined();
  await runs.putArtifact(runId, 'plans/plugins/vault', {
    ...record,
    policy: {
      passed: false,
      outcome: 'exited with code 1',
      commandSha256: '0'.repeat(64),
      output: 'DENY planted',
      durationMs: 1,
      checkedAt: new Date().toISOString(),
    },
  });
  const serials = await flow.stateSerials();
  const apply = await flow.apply(plan);
  expect([apply.exitCode, explain(apply)]).toEqual([1, expect.any(String)]);
  expect(errorsOf(apply)).toContain(
    `The saved plan of vault of run ${runId} was refused by the policy (POLICY_COMMAND) when it was planned`,
  );
  await expectClosed(runId, 'USER_ERROR');
  expect(await flow.stateSerials()).toEqual(serials);
});

it('unified mode: the whole-project plan is checked, the command told so (no plugin)', async () => {
  flow.writeApp(
    'pol3',
    '01JP0L1CY00000000000000003',
    `    - name: acme/node-a@1.0.0
      alias: only
      type: infra
      inputs: { label: unified }
      connections:
        generates:
          - { type: diamond-conn, selected: pol3-a, alias: a-out }
`,
  );
  const plan = await flow.orchestrate('pol3', {
    FEATURES_UNIFIED_DEPLOY: 'true',
    POLICY_COMMAND:
      'echo "mode=$DEPLOY_ENGINE_MODE plugin=[$DEPLOY_ENGINE_PLUGIN] kind=$DEPLOY_ENGINE_PLAN_KIND stage=$DEPLOY_ENGINE_STAGE"; exit 1',
  });
  expect([plan.exitCode, explain(plan)]).toEqual([1, expect.any(String)]);
  expect(errorsOf(plan)).toContain(
    'The policy (POLICY_COMMAND) refused the deploy plan: the command exited with code 1. Its output:\nmode=unified plugin=[] kind=deploy stage=plan',
  );
  expect(plan.summary).toContain('whole project (deploy)');
  await expectClosed(openedRun(plan), 'USER_ERROR');
});

it('a plugin removed from stk.yaml: its destroy plan is checked as a destroy', async () => {
  flow.writeApp('pol', '01JP0L1CY00000000000000000', APP.split('    - name: acme/node-b')[0] ?? '');
  const plan = await refused({
    POLICY_COMMAND:
      '[ "$DEPLOY_ENGINE_PLAN_KIND" != destroy ] || { echo "DENY no destroy of $DEPLOY_ENGINE_PLUGIN"; exit 1; }',
  });
  expect(errorsOf(plan)).toContain(
    'refused the destroy plan of reader: the command exited with code 1. Its output:\nDENY no destroy of reader',
  );
  expect(plan.summary).toMatch(/<code>vault<\/code> \(deploy\)[\s\S]*✅ passed/);
  expect(plan.summary).toMatch(/<code>reader<\/code> \(destroy\)[\s\S]*refused/);
});
