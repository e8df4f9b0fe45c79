/** The workflow harness refuses what it does not model, so a test can never pass on a guess. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflow } from './workflow-runner';

function workflowFile(jobs: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wf-spec-')), 'w.yml');
  writeFileSync(file, `name: W\non:\n  push:\n    branches: [main]\njobs:\n${jobs}`);
  return file;
}

describe('loadWorkflow', () => {
  it('refuses a run: step, an unmodelled job or step key, and an unknown need', () => {
    expect(() =>
      loadWorkflow(workflowFile('  a:\n    runs-on: x\n    steps:\n      - run: echo hi\n')),
    ).toThrow(/uses 'run', not modelled/);
    expect(() =>
      loadWorkflow(
        workflowFile(
          '  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - uses: ./actions/cancel-run\n',
        ),
      ),
    ).toThrow(/uses 'timeout-minutes', not modelled/);
    expect(() =>
      loadWorkflow(
        workflowFile(
          '  a:\n    runs-on: x\n    steps:\n      - uses: ./actions/cancel-run\n        env: { A: b }\n',
        ),
      ),
    ).toThrow(/uses 'env', not modelled/);
    expect(() =>
      loadWorkflow(workflowFile('  a:\n    runs-on: x\n    needs: [b]\n    steps: []\n')),
    ).toThrow(/needs unknown job b/);
  });

  it('refuses a placeholder that does not occur, and duplicate keys', () => {
    const file = workflowFile('  a:\n    runs-on: <runner>\n    steps: []\n');
    expect(loadWorkflow(file, { '<runner>': 'self-hosted' }).jobs.a?.['runs-on']).toBe(
      'self-hosted',
    );
    expect(() => loadWorkflow(file, { '<other>': 'x' })).toThrow(/'<other>' does not occur/);
    expect(() =>
      loadWorkflow(workflowFile('  a:\n    runs-on: x\n    runs-on: y\n    steps: []\n')),
    ).toThrow();
  });
});
