import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPlanPolicy, POLICY_OUTPUT_MAX, type PolicyPlan } from './plan-policy-command';

const PLAN: PolicyPlan = {
  json: JSON.stringify({
    resource_changes: [
      { change: { after: { input: 'sensitive-VALUE-42' }, after_sensitive: { input: true } } },
    ],
  }),
  alias: 'db',
  kind: 'deploy',
  runId: '01RUN',
  workspace: 'shop',
  environment: 'dev',
  app: 'orders',
  mode: 'classic',
  stage: 'plan',
};

let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'policy-test-'));
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

function check(command: string, timeoutSeconds = 10, secrets: string[] = []) {
  return checkPlanPolicy({ command, timeoutSeconds }, PLAN, {
    workDir,
    secrets,
    graceMs: { interrupt: 200, terminate: 200 },
  });
}

describe('checkPlanPolicy', () => {
  it('passes on exit 0 and gives the command the plan and the DEPLOY_ENGINE_* variables only', async () => {
    process.env.POLICY_TEST_LEAK = 'must-not-reach-the-command';
    const verdict = await check(
      'echo "$DEPLOY_ENGINE_PLUGIN $DEPLOY_ENGINE_PLAN_KIND $DEPLOY_ENGINE_RUN_ID $DEPLOY_ENGINE_WORKSPACE/$DEPLOY_ENGINE_ENVIRONMENT $DEPLOY_ENGINE_APP $DEPLOY_ENGINE_MODE $DEPLOY_ENGINE_STAGE"; test -s "$DEPLOY_ENGINE_PLAN_JSON" && echo "leak=[${POLICY_TEST_LEAK:-}]"',
    );
    delete process.env.POLICY_TEST_LEAK;
    expect(verdict).toMatchObject({
      passed: true,
      outcome: 'exited with code 0',
      output: 'db deploy 01RUN shop/dev orders classic plan\nleak=[]',
    });
    expect(verdict.commandSha256).toMatch(/^[0-9a-f]{64}$/);
    // The scratch folder with the plan's JSON is gone.
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('refuses on a non-zero exit, a missing command and a signal, saying which', async () => {
    expect(await check('echo "no public buckets"; exit 3')).toMatchObject({
      passed: false,
      outcome: 'exited with code 3',
      output: 'no public buckets',
    });
    const missing = await check('no-such-policy-tool --check');
    expect(missing).toMatchObject({
      passed: false,
      outcome: 'exited with code 127 (bash: command not found)',
    });
    expect(missing.output).toContain('no-such-policy-tool: command not found');
    expect(await check('kill -SEGV $$')).toMatchObject({
      passed: false,
      outcome: 'was killed by SIGSEGV',
    });
  });

  it('stops a command that hangs, and what it started, within the time limit plus the grace', async () => {
    const marker = join(workDir, 'survivor');
    const started = Date.now();
    const verdict = await check(
      `trap '' INT TERM; (sleep 2; touch ${marker}) & echo waiting; sleep 600`,
      1,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(verdict).toMatchObject({
      passed: false,
      outcome: 'did not finish within 1 s (POLICY_TIMEOUT_SECONDS) and was stopped',
      output: 'waiting',
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(marker)).toBe(false);
  }, 10_000);

  it("masks the job's secrets and the plan's sensitive values, and caps the output", async () => {
    const verdict = await check(
      'echo "token=job-SECRET-1"; cat "$DEPLOY_ENGINE_PLAN_JSON"; echo; echo "$(echo -n job-SECRET-1 | base64)"',
      10,
      ['job-SECRET-1'],
    );
    expect(verdict.output).not.toContain('job-SECRET-1');
    expect(verdict.output).not.toContain('sensitive-VALUE-42');
    expect(verdict.output).not.toContain(Buffer.from('job-SECRET-1').toString('base64'));
    expect(verdict.output).toContain('token=***');
    const long = await check('for i in $(seq 1 5000); do echo "line $i of a long report"; done');
    expect(long.output.length).toBeLessThan(POLICY_OUTPUT_MAX + 100);
    expect(long.output).toMatch(/^line 1 of a long report\n/);
    expect(long.output).toMatch(/characters cut/);
    expect(long.output).toMatch(/line 5000 of a long report$/);
  });

  it('does not wait for a process that left the group and holds the output open', async () => {
    const started = Date.now();
    expect(await check('setsid sleep 4 & sleep 0.3; echo started')).toMatchObject({
      passed: true,
      output: 'started',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops a command that floods its output', async () => {
    const started = Date.now();
    const verdict = await check('yes DENY');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(verdict).toMatchObject({
      passed: false,
      outcome: 'printed more than 4 MiB and was stopped',
    });
    expect(verdict.output.length).toBeLessThan(POLICY_OUTPUT_MAX + 100);
  });
});
