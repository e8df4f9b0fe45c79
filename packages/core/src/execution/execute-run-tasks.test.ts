/**
 * The scheduler loop's task statuses, with the real run store over an in-memory bucket and task
 * tables of test handlers (the engine's own run Terraform: see test/e2e). READY_TO_RUN when a
 * step claims the run for its tasks, PENDING for the tasks awaiting approval, INTERNAL_ERROR for a
 * bug of the engine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_ARTIFACT } from '../deployment/artifacts';
import { openBucketStores } from '../deployment/bucket-stores';
import { ConfigurationError } from '../errors';
import { MemoryLogger } from '../logging';
import type { RunRecord } from '../runs';
import { MemoryObjectStore } from '../store';
import { TaskTable, type RunTaskHandler, type TaskContext } from '../task-handlers';
import type { TaskStatus } from '../tasks';
import type { DeploymentTarget } from '../target';
import type { ExecuteOptions } from './execute-options';
import { executeRunTasks } from './execute-run-tasks';

const target: DeploymentTarget = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId: 'APP1',
  appName: 'orders',
};

/** A handler of a run-scope task `type`, whose work is `work`; its tasks chain in list order. */
function handler(
  type: string,
  phase: 'plan' | 'apply',
  work: (context: TaskContext) => unknown,
): RunTaskHandler {
  return {
    type,
    scope: 'run',
    phase,
    mode: 'unified',
    listed: { stage: 0, for: 'run' },
    label: type,
    waits: (task, graph) => {
      const index = graph.tasks.findIndex((t) => t.runTaskId === task.runTaskId);
      return index > 0 ? [graph.tasks[index - 1]?.runTaskId ?? ''] : [];
    },
    execute: async (context) => {
      await work(context);
      return {};
    },
  };
}

/** The statuses of the run's tasks by type, as the run record says now. */
async function statuses(context: TaskContext): Promise<Record<string, TaskStatus>> {
  const run = (await context.stores.runs.getRun(context.run.runId)) as RunRecord;
  return Object.fromEntries(run.tasks.map((t) => [t.taskType, t.status]));
}

async function setUp(types: string[]) {
  const logger = new MemoryLogger();
  const deps = openBucketStores(new MemoryObjectStore('iac'), logger, 'us-east-1');
  const run = await deps.runs.createRun({
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'digest',
    tasks: types.map((taskType) => ({ taskType, pluginAppliedAlias: null })),
  });
  const manifest = { target, plugins: [], destroy: [], deployOrder: [], digest: 'digest' };
  await deps.runs.putArtifact(run.runId, MANIFEST_ARTIFACT, manifest);
  const workDir = mkdtempSync(join(tmpdir(), 'execute-'));
  const options = (taskTable: TaskTable, only?: string[]): ExecuteOptions => ({
    runId: run.runId,
    tasks: run.tasks.filter((t) => !only || only.includes(t.taskType)),
    workDir: join(workDir, 'work'),
    outputDir: workDir,
    outputFileSuffix: 'outputs.json',
    // These handlers never reach a state backend.
    stateAccess: {
      s3In: () => {
        throw new Error('no state backend in this test');
      },
    },
    terraform: { binary: 'terraform', env: {} },
    terraformVersion: '1.11.0',
    guardrails: { localExecEnabled: false, allowedModules: [] },
    watchIntervalMs: 20,
    taskTable,
  });
  return { deps, run, options };
}

describe('executeRunTasks: task statuses', () => {
  it('sets the tasks it executes READY_TO_RUN when it claims the run, and leaves those awaiting approval PENDING', async () => {
    const seen: Record<string, Record<string, TaskStatus>> = {};
    const record = (name: string) => async (context: TaskContext) => {
      seen[name] = await statuses(context);
    };
    const table = new TaskTable([
      handler('PREPARE', 'plan', record('PREPARE')),
      handler('FIRST', 'apply', record('FIRST')),
      handler('SECOND', 'apply', record('SECOND')),
    ]);
    const { deps, run, options } = await setUp(['PREPARE', 'FIRST', 'SECOND']);
    const planned = await executeRunTasks(deps, {
      ...options(table, ['PREPARE']),
      leaveOpen: true,
    });
    expect(seen.PREPARE).toEqual({ PREPARE: 'RUNNING', FIRST: 'PENDING', SECOND: 'PENDING' });
    expect(planned.run.tasks.map((t) => t.status)).toEqual(['SUCCEEDED', 'PENDING', 'PENDING']);

    const applied = await executeRunTasks(deps, options(table, ['FIRST', 'SECOND']));
    expect(seen.FIRST).toEqual({ PREPARE: 'SUCCEEDED', FIRST: 'RUNNING', SECOND: 'READY_TO_RUN' });
    expect(seen.SECOND).toEqual({ PREPARE: 'SUCCEEDED', FIRST: 'SUCCEEDED', SECOND: 'RUNNING' });
    expect(applied.run.status).toBe('SUCCEEDED');
    expect(await deps.runs.lockOf(run.target)).toBeUndefined();
  });

  it('ends a task whose handler hits a bug INTERNAL_ERROR, the run RUNTIME_ERROR, and releases the lock', async () => {
    const buggy = new TaskTable([
      // A bug: the run has no plugin, and the handler reads the first one's alias anyway.
      handler('RENDER', 'apply', (context) => context.manifest.plugins[0]!.alias),
      handler('APPLY', 'apply', () => undefined),
    ]);
    const { deps, run, options } = await setUp(['RENDER', 'APPLY']);
    const result = await executeRunTasks(deps, options(buggy));

    expect(result.error).toBeInstanceOf(TypeError);
    expect(result.run.status).toBe('RUNTIME_ERROR');
    const [render, apply] = result.run.tasks;
    expect(render?.status).toBe('INTERNAL_ERROR');
    expect(render?.error?.kind).toBe('RUNTIME_ERROR');
    expect(render?.error?.message).toMatch(/Cannot read properties of undefined/);
    expect(apply?.status).toBe('ABORTED');
    expect(await deps.runs.lockOf(run.target)).toBeUndefined();

    // A re-run of the failed job: the unfinished tasks are READY_TO_RUN again in the write that
    // reopens the run, then run.
    const seen: Record<string, TaskStatus>[] = [];
    const fixed = new TaskTable([
      handler('RENDER', 'apply', async (context) => seen.push(await statuses(context))),
      handler('APPLY', 'apply', () => undefined),
    ]);
    const resumed = await executeRunTasks(deps, options(fixed));
    expect(resumed.resumed?.tasks.map((t) => t.status)).toEqual(['INTERNAL_ERROR', 'ABORTED']);
    expect(seen).toEqual([{ RENDER: 'RUNNING', APPLY: 'READY_TO_RUN' }]);
    expect(resumed.run.status).toBe('SUCCEEDED');
  });

  it('ends a task whose handler refuses the configuration FAILED, the run USER_ERROR', async () => {
    const table = new TaskTable([
      handler('RENDER', 'apply', () => {
        throw new ConfigurationError({ message: 'a template is wrong' });
      }),
    ]);
    const { deps, run, options } = await setUp(['RENDER']);
    const result = await executeRunTasks(deps, options(table));
    expect(result.run.status).toBe('USER_ERROR');
    expect(result.run.tasks[0]?.status).toBe('FAILED');
    expect(await deps.runs.lockOf(run.target)).toBeUndefined();
  });

  it('refuses a task type its table does not have before touching the run', async () => {
    const { deps, run, options } = await setUp(['RENDER']);
    const table = new TaskTable([handler('OTHER', 'apply', () => undefined)]);
    await expect(executeRunTasks(deps, options(table))).rejects.toThrow(
      'element 0 has taskType "RENDER"; expected one of OTHER.',
    );
    expect((await deps.runs.getRun(run.runId))?.tasks[0]?.status).toBe('PENDING');
  });
});
