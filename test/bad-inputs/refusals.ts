/**
 * What every bad-inputs file checks of a corpus case (corpus.ts) run through the built bundles,
 * against its own moto_server: the step ends with a clear error that matches the case, within
 * 30 s and 256 MiB of heap, and leaves every object in S3 exactly as it was. The corpus is split
 * across files by group (the name before the first colon) so that the files run in parallel.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runIdOf, type DeployFlow } from '../harness/deploy-flow';
import { e2eFixture } from '../harness/e2e-fixture';
import type { ActionResult } from '../harness/runner';
import { ORCHESTRATE_CASES, type BadInputCase } from './corpus';

const LIMITS = { timeoutMs: 30000, env: { NODE_OPTIONS: '--max-old-space-size=256' } };

/** The orchestrate-and-plan groups of each file; `inputs` takes every group not listed here. */
const FILE_GROUPS = {
  descriptors: ['descriptor'],
  'plugins-and-templates': ['plugin.yaml', 'plugin', 'template', 'guard'],
};

/** The orchestrate-and-plan cases one file runs, as `[name, case]` rows for it.each. */
function orchestrateCases(
  file: keyof typeof FILE_GROUPS | 'inputs',
): (readonly [string, BadInputCase])[] {
  const claimed = Object.values(FILE_GROUPS).flat();
  const groupOf = (testCase: BadInputCase) => testCase.name.split(':')[0] ?? '';
  return ORCHESTRATE_CASES.filter((testCase) =>
    file === 'inputs'
      ? !claimed.includes(groupOf(testCase))
      : FILE_GROUPS[file].includes(groupOf(testCase)),
  ).map((testCase) => [testCase.name, testCase] as const);
}

/** The file's fixture (buckets `badinputs-*`) and the check of one case on it. */
export function refusalSuite(): {
  limits: typeof LIMITS;
  flow: DeployFlow;
  expectRefused: (run: () => Promise<ActionResult>, testCase: BadInputCase) => Promise<void>;
  /** The RUNNING run opened before the cases (for the runtime-tasks cases). */
  openRun: () => ActionResult;
} {
  const flow = e2eFixture({ name: 'badinputs' });
  const opened: { run?: ActionResult } = {};

  beforeAll(async () => {
    // A run of its own environment, left RUNNING: the runtime cases run against it, and every
    // case then finds the application already known to the workspace.
    opened.run = await flow.orchestrate('single', {
      ENVIRONMENT: 'runtime',
      DYNAMIC_INPUTS: '--label ok',
    });
    expect([opened.run.exitCode, opened.run.log]).toEqual([0, expect.any(String)]);
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

  /** Runs the case and checks it was refused, leaving S3 as it was. */
  async function expectRefused(
    run: () => Promise<ActionResult>,
    testCase: BadInputCase,
  ): Promise<void> {
    const openRunId = runIdOf(opened.run?.outputs.run_id ?? '');
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
        if (run.status === 'RUNNING' && run.runId !== openRunId)
          await flow.cancel(`${run.runId}@${flow.iacBucket}`);
      }
    }
  }

  return { flow, expectRefused, limits: LIMITS, openRun: () => opened.run as ActionResult };
}

/** Declares the file's fixture and one orchestrate-and-plan test per case of its groups. */
export function refuseOrchestrateCases(file: keyof typeof FILE_GROUPS | 'inputs'): void {
  const { flow, expectRefused } = refusalSuite();
  describe('orchestrate-and-plan', () => {
    it.each(orchestrateCases(file))('%s', async (_name, testCase) => {
      const workdir = testCase.with?.WORKDIR ?? 'single';
      await expectRefused(
        () => flow.orchestrate(workdir, { VERSION: 'v2', ...testCase.with }, LIMITS),
        testCase,
      );
    });
  });
}
