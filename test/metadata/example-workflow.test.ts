/**
 * The example workflow users copy: valid YAML for GitHub (no duplicate keys), the three jobs of
 * CONTRACT.md §1, and every `with:` key an input of the action it configures.
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

const file = join(REPO_ROOT, '.github', 'workflows', 'example-deploy.yml');

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
