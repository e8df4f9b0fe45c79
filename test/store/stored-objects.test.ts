/**
 * A stored object that is missing or corrupt is an outside failure (StoredObjectError, an
 * ExternalError) naming its bucket and key and what to do, in every main store: never a plain
 * Error, which the actions report as a bug of the engine (a task INTERNAL_ERROR). Memory store: the
 * same conditional semantics as S3 (s3-store.test.ts checks the S3 store's getJson).
 */
import {
  classifyError,
  ConnectionTypeStore,
  DeploymentHistory,
  ExternalError,
  keys,
  MemoryLogger,
  MemoryObjectStore,
  PluginRegistry,
  releaseKey,
  RunStore,
  SharedValueStore,
  StoredObjectError,
  classifyFailure,
  WorkspaceContextStore,
  type CreateRunInput,
  type DeploymentTarget,
} from '@deploy-engine/core';

const target: DeploymentTarget = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app',
  appId: 'A',
  appName: 'a',
};

const input: CreateRunInput = {
  type: 'DEPLOY',
  target,
  version: 'v1',
  workflowRunUrl: 'https://github.com/acme/a/actions/runs/1',
  tfstate: { bucket: 'tf', region: 'us-east-1' },
  manifestDigest: 'abc',
  tasks: [{ taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
};

/** The failure `read` gives, checked to be a StoredObjectError about `key`. */
async function storedObjectFailure(
  read: Promise<unknown>,
  key: string,
  problem: 'missing' | 'corrupt',
): Promise<StoredObjectError> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoredObjectError);
  const failure = error as StoredObjectError;
  expect(failure).toBeInstanceOf(ExternalError);
  expect({ bucket: failure.bucket, key: failure.key, problem: failure.problem }).toEqual({
    bucket: 'iac',
    key,
    problem,
  });
  expect(failure.message).toContain(`s3://iac/${key} `);
  // How a run and a task end with it: an outside failure, not a bug of the engine.
  expect(classifyError(failure)).toBe('RUNTIME_ERROR');
  expect(classifyFailure(failure).task).toBe('FAILED');
  return failure;
}

const corrupt = (store: MemoryObjectStore, key: string) =>
  store.putBytes(key, Buffer.from('{"cut off', 'utf8'), 'application/json');

describe('a corrupt object is a StoredObjectError naming its key, in every store', () => {
  const stores: [string, string, (store: MemoryObjectStore) => Promise<unknown>][] = [
    ['a run record', keys.run('01RUN'), (s) => new RunStore(s, new MemoryLogger()).getRun('01RUN')],
    [
      'an artifact of a run',
      keys.artifact('01RUN', 'iac/topic'),
      (s) => new RunStore(s, new MemoryLogger()).getArtifact('01RUN', 'iac/topic'),
    ],
    [
      'the last deployment of a target',
      keys.lastDeployment(target),
      (s) => new DeploymentHistory(s).getLast(target),
    ],
    [
      'a Connection Interface',
      keys.connectionInterface('shop', 'prod', 'queue'),
      (s) => new WorkspaceContextStore(s).get('shop', 'prod', 'queue'),
    ],
    [
      'a shared value',
      keys.sharedValue('shop', 'prod', 'vpc_id'),
      (s) => new SharedValueStore(s).get({ workspace: 'shop', environment: 'prod' }, 'vpc_id'),
    ],
    [
      'a Connection Interface Type',
      keys.connectionInterfaceType('shop', 'queue'),
      (s) => new ConnectionTypeStore(s).list('shop'),
    ],
    [
      'a registry release',
      releaseKey({ studio: 'acme', name: 'queue', version: '1.0.0' }),
      (s) => new PluginRegistry(s).show({ studio: 'acme', name: 'queue', version: '1.0.0' }),
    ],
  ];

  it.each(stores)('%s', async (_what, key, read) => {
    const store = new MemoryObjectStore('iac');
    await corrupt(store, key);
    const failure = await storedObjectFailure(read(store), key, 'corrupt');
    expect(failure.message).toMatch(/is not valid JSON.*Restore an earlier version/);
  });
});

describe('an object a run must have is a StoredObjectError naming its key when it is gone', () => {
  it('the run record deleted while the run executes', async () => {
    const store = new MemoryObjectStore('iac');
    const runs = new RunStore(store, new MemoryLogger());
    const run = await runs.createRun(input);
    await store.delete(keys.run(run.runId));
    // Another process, with no copy of the record in memory.
    const other = new RunStore(store, new MemoryLogger());
    const task = run.tasks[0]?.runTaskId as string;
    await storedObjectFailure(other.startTask(run.runId, task), keys.run(run.runId), 'missing');
    await storedObjectFailure(other.resumeRun(run.runId), keys.run(run.runId), 'missing');
  });

  it('an artifact whose digest the run recorded, deleted since', async () => {
    const store = new MemoryObjectStore('iac');
    const runs = new RunStore(store, new MemoryLogger());
    const run = await runs.createRun(input);
    const digest = await runs.putCheckedArtifact(run.runId, 'manifest', { a: 1 });
    await runs.recordArtifacts(run.runId, { manifest: digest });
    await store.delete(keys.artifact(run.runId, 'manifest'));
    const key = keys.artifact(run.runId, 'manifest');
    await storedObjectFailure(runs.verifyRecordedArtifacts(run.runId), key, 'missing');
    const failure = await storedObjectFailure(
      runs.getArtifact(run.runId, 'manifest'),
      key,
      'missing',
    );
    expect(failure.message).toContain('Start a new run');
  });

  it('an artifact the run must have, never stored (requireArtifact)', async () => {
    const store = new MemoryObjectStore('iac');
    const runs = new RunStore(store, new MemoryLogger());
    const run = await runs.createRun(input);
    const failure = await storedObjectFailure(
      runs.requireArtifact(
        run.runId,
        'iac/topic',
        'is missing: the IAC task of topic did not store it.',
      ),
      keys.artifact(run.runId, 'iac/topic'),
      'missing',
    );
    expect(failure.message).toBe(
      `s3://iac/${keys.artifact(run.runId, 'iac/topic')} is missing: the IAC task of topic did not store it. Start a new run (run the workflow again) and review its plan.`,
    );
  });

  it('an artifact changed after its digest was recorded is corrupt', async () => {
    const store = new MemoryObjectStore('iac');
    const runs = new RunStore(store, new MemoryLogger());
    const run = await runs.createRun(input);
    const digest = await runs.putCheckedArtifact(run.runId, 'manifest', { a: 1 });
    await runs.recordArtifacts(run.runId, { manifest: digest });
    await runs.putCheckedArtifact(run.runId, 'manifest', { a: 2 });
    await storedObjectFailure(
      runs.getArtifact(run.runId, 'manifest'),
      keys.artifact(run.runId, 'manifest'),
      'corrupt',
    );
  });
});
