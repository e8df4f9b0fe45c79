/**
 * The example workflow users copy, and StackSpot's documented workflow (the fixture the end-to-end
 * test runs): valid YAML for GitHub (no duplicate keys), the three jobs of docs/actions.md#the-workflow, and
 * every `with:` key an input of the action it configures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { readActionMetadata, REPO_ROOT } from '../harness/action-metadata';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[]; needs?: string[]; if?: string; environment?: string }>;
}

const files = [
  join(REPO_ROOT, '.github', 'workflows', 'example-deploy.yml'),
  join(REPO_ROOT, 'test', 'fixtures', 'workflows', 'stackspot-self-hosted.yml'),
];

describe.each(files)('%s', (file) => {
  it('parses as YAML with unique keys', () => {
    const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
  });

  it('has the three jobs, and every with: key is an input of its action', () => {
    const workflow = parseDocument(readFileSync(file, 'utf8')).toJS() as Workflow;
    expect(Object.keys(workflow.jobs)).toEqual([
      'orchestrate_and_plan',
      'approve_plan_apply',
      'cancel',
    ]);
    expect(workflow.jobs.approve_plan_apply?.environment).toBeDefined();
    expect(workflow.jobs.cancel?.if).toMatch(/always\(\)/);
    const unknown: string[] = [];
    for (const [job, { steps }] of Object.entries(workflow.jobs)) {
      for (const step of steps) {
        const id = /^\.\/actions\/([\w-]+)$/.exec(step.uses ?? '')?.[1];
        if (!id) continue;
        const inputs = Object.keys(readActionMetadata(id).inputs);
        for (const key of Object.keys(step.with ?? {}))
          if (!inputs.includes(key)) unknown.push(`${job}: ${id} has no input ${key}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

it("keeps the documented workflow's shape: no checkout in the approval job, cancel on ubuntu-latest with only RUN_ID and CLIENT_*", () => {
  const text = readFileSync(files[1] as string, 'utf8');
  const workflow = parseDocument(text).toJS() as {
    jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
  };
  expect(workflow.jobs.approve_plan_apply?.steps.map((s) => s.uses)).toEqual([
    './actions/runtime-tasks',
  ]);
  expect(workflow.jobs.cancel?.['runs-on']).toBe('ubuntu-latest');
  expect(Object.keys(workflow.jobs.cancel?.steps[0]?.with ?? {}).sort()).toEqual([
    'CLIENT_ID',
    'CLIENT_KEY',
    'CLIENT_REALM',
    'RUN_ID',
  ]);
  // Only the three uses: lines of the StackSpot actions differ from the documentation.
  expect(text.match(/uses: \.\/actions\/[\w-]+/g)).toHaveLength(3);
  expect(text).not.toMatch(/stack-?spot\/[\w-]+-action/);
});

it('has an example preview workflow: one job, PREVIEW on pull requests, every with: key an input', () => {
  const file = join(REPO_ROOT, 'examples', 'workflows', 'preview-on-pull-request.yml');
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  const workflow = doc.toJS() as Workflow & { on: Record<string, unknown> };
  expect(Object.keys(workflow.on)).toEqual(['pull_request']);
  expect(Object.keys(workflow.jobs)).toEqual(['orchestrate_and_plan']);
  const step = workflow.jobs.orchestrate_and_plan?.steps.find(
    (s) => s.uses === './actions/orchestrate-and-plan',
  );
  expect(step?.with).toMatchObject({
    PREVIEW: "${{ github.event_name == 'pull_request' }}",
    PR_COMMENT: true,
  });
  const inputs = Object.keys(readActionMetadata('orchestrate-and-plan').inputs);
  expect(Object.keys(step?.with ?? {}).filter((k) => !inputs.includes(k))).toEqual([]);
});

describe('examples/workflows/drift-check.yml', () => {
  const file = join(REPO_ROOT, 'examples', 'workflows', 'drift-check.yml');

  it('parses with unique keys, runs on a schedule and by hand, and every with: key is an input', () => {
    const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    const workflow = doc.toJS() as Workflow & { on: Record<string, unknown> };
    expect(Object.keys(workflow.on)).toEqual(['schedule', 'workflow_dispatch']);
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const check = steps.find((s) => s.uses === './actions/orchestrate-and-plan');
    expect(check?.with).toMatchObject({ DRIFT_CHECK: 'true', FAIL_ON_DRIFT: 'true' });
    const inputs = Object.keys(readActionMetadata('orchestrate-and-plan').inputs);
    expect(Object.keys(check?.with ?? {}).filter((key) => !inputs.includes(key))).toEqual([]);
    // Only GitHub's own actions besides ours: no third-party action sees the report.
    expect(
      steps.map((s) => s.uses ?? '').filter((u) => u && !/^(\.\/actions\/|actions\/)/.test(u)),
    ).toEqual([]);
  });
});

describe('examples/workflows/deploy-with-workers.yml', () => {
  const file = join(REPO_ROOT, 'examples', 'workflows', 'deploy-with-workers.yml');

  it('parses with unique keys; the matrix size is WORKERS; cancel-run runs always; every with: key is an input', () => {
    const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    const workflow = doc.toJS() as {
      jobs: Record<
        string,
        Workflow['jobs'][string] & { strategy?: { matrix?: { worker?: unknown[] } } }
      >;
    };
    const deploy = workflow.jobs.deploy;
    const run = deploy?.steps.find((s) => s.uses === './actions/runtime-tasks');
    expect(Number(run?.with?.WORKERS)).toBe(deploy?.strategy?.matrix?.worker?.length);
    expect(workflow.jobs.cancel?.if).toMatch(/always\(\)/);
    for (const { steps } of Object.values(workflow.jobs)) {
      for (const step of steps) {
        const id = /^\.\/actions\/(.+)$/.exec(step.uses ?? '')?.[1];
        if (!id) continue;
        const inputs = Object.keys(readActionMetadata(id).inputs);
        expect(Object.keys(step.with ?? {}).filter((k) => !inputs.includes(k))).toEqual([]);
      }
    }
  });
});
