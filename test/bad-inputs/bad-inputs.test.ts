/**
 * The bad-input corpus (corpus.ts) through the built bundles, against moto_server: each malformed
 * or hostile input ends the step with a clear error that matches the case, within 30 s and 256 MiB
 * of heap, and leaves every object in S3 exactly as it was (the run opened for the runtime cases
 * included).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runIdOf } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import type { ActionResult } from '../harness/runner';
import { ORCHESTRATE_CASES, RUNTIME_CASES, type BadInputCase } from './corpus';

jest.setTimeout(60000);

const flow = e2eFixture({ name: 'badinputs' });
let openRun: ActionResult;

const LIMITS = { timeoutMs: 30000, env: { NODE_OPTIONS: '--max-old-space-size=256' } };

beforeAll(async () => {
  // The runtime cases get a run of their own environment, so the orchestrate cases are not blocked.
  openRun = await flow.orchestrate('single', {
    ENVIRONMENT: 'runtime',
    DYNAMIC_INPUTS: '--label ok',
  });
  expect([openRun.exitCode, openRun.log]).toEqual([0, expect.any(String)]);
});

/** Every object of both buckets with its content, to prove a case changed nothing. */
async function snapshot(): Promise<Record<string, string>> {
  const objects: Record<string, string> = {};
  for (const bucket of [flow.tfstateBucket, flow.iacBucket]) {
    for (const key of await flow.moto.listKeys(bucket)) {
      objects[`${bucket}/${key}`] = await flow.moto.getObjectText(bucket, key);
    }
  }
  return objects;
}

function writeFiles(files: BadInputCase['files'] = {}): () => void {
  const written: string[] = [];
  const saved = new Map<string, Buffer | undefined>();
  for (const [path, content] of Object.entries(files)) {
    const full = join(flow.checkout, path);
    mkdirSync(dirname(full), { recursive: true });
    try {
      saved.set(full, readFileSync(full));
    } catch {
      saved.set(full, undefined);
    }
    writeFileSync(full, content);
    written.push(full);
  }
  return () => {
    for (const full of written) {
      const before = saved.get(full);
      if (before) writeFileSync(full, before);
      else rmSync(full, { force: true });
    }
  };
}

function errorText(result: ActionResult): string {
  return `${result.annotations.map((a) => a.message).join('\n')}\n${result.log}`;
}

async function expectRefused(
  run: () => Promise<ActionResult>,
  testCase: BadInputCase,
): Promise<void> {
  const restore = writeFiles(testCase.files);
  try {
    const before = await snapshot();
    const result = await run();
    expect(result.signal).toBeNull(); // not killed by the time or memory bound
    expect(result.exitCode).toBe(1);
    const text = errorText(result);
    expect(text).toMatch(testCase.expect);
    expect(text).not.toMatch(/internal error/);
    expect(result.outputs.run_id ?? '').toBe('');
    const after = await snapshot();
    if (testCase.opensRun) {
      // The run that found the problem is recorded, closed; nothing else changed.
      const added = Object.keys(after).filter((key) => !(key in before));
      // (and the run's marker in the target's history)
      for (const key of added)
        expect(key).toMatch(/^badinputs-iac\/(runs\/|history\/[^]+\/runs\/\w+\.json$)/);
      const records = added.filter((key) => key.endsWith('/record.json'));
      expect(records).toHaveLength(1);
      expect(JSON.parse(after[records[0] as string] as string)).toMatchObject({
        status: 'USER_ERROR',
      });
      for (const [key, value] of Object.entries(before))
        expect([key, after[key]]).toEqual([key, value]);
    } else {
      expect(after).toEqual(before);
    }
  } finally {
    restore();
    // A case that wrongly succeeded must not block the next ones.
    for (const run of await flow.runs()) {
      if (run.status === 'RUNNING' && run.runId !== runIdOf(openRun.outputs.run_id ?? ''))
        await flow.cancel(`${run.runId}@${flow.iacBucket}`);
    }
  }
}

it('has at least 40 cases', () => {
  expect(ORCHESTRATE_CASES.length + RUNTIME_CASES.length).toBeGreaterThanOrEqual(40);
});

describe('orchestrate-and-plan', () => {
  it.each(ORCHESTRATE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const workdir = testCase.with?.WORKDIR ?? 'single';
    await expectRefused(
      () => flow.orchestrate(workdir, { VERSION: 'v2', ...testCase.with }, LIMITS),
      testCase,
    );
  });
});

describe('runtime-tasks', () => {
  it.each(RUNTIME_CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const runId = openRun.outputs.run_id ?? '';
    const withInputs = Object.fromEntries(
      Object.entries(testCase.with ?? {}).map(([k, v]) => [k, v.replace('BUCKET', flow.iacBucket)]),
    );
    await expectRefused(
      () => flow.apply(openRun, { ...LIMITS, with: { RUN_ID: runId, ...withInputs } }),
      testCase,
    );
  });
});
