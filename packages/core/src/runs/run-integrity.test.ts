import { ExternalError } from '../errors';
import { MemoryLogger } from '../logging';
import { MemoryObjectStore } from '../store';
import { RunClaimedError } from './executor-claim';
import { keys } from '../bucket-layout';
import type { CreateRunInput } from './run-open';
import { RunStore } from './run-store';
import { InvalidTransitionError } from './transitions';

const input: CreateRunInput = {
  type: 'DEPLOY',
  target: { workspace: 'shop', environment: 'prod', appKind: 'app', appId: 'A', appName: 'a' },
  version: 'v1',
  workflowRunUrl: 'https://github.com/acme/a/actions/runs/1',
  tfstate: { bucket: 'tf', region: 'us-east-1' },
  manifestDigest: 'abc',
  tasks: [
    { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
    { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' },
  ],
};

function fixture() {
  const store = new MemoryObjectStore('iac');
  return { store, runs: new RunStore(store, new MemoryLogger()) };
}

const executor = (id: string) => ({ id, description: `job ${id}`, claimedAt: 'now' });

describe('run integrity', () => {
  it('never closes a run SUCCEEDED while a task of it did not succeed', async () => {
    const { runs } = fixture();
    const run = await runs.createRun(input);
    await expect(runs.finishRun(run.runId, 'SUCCEEDED')).rejects.toThrow(InvalidTransitionError);
    expect((await runs.getRun(run.runId))?.status).toBe('RUNNING');
  });

  it('gives the executor claim to one step; a second is refused naming the first, writing nothing', async () => {
    const { runs, store } = fixture();
    const run = await runs.createRun(input);
    await runs.claimRun(run.runId, executor('one'));
    const before = await store.getJson(keys.run(run.runId));
    // A second store: another process, with no copy of the record in memory.
    const other = new RunStore(store, new MemoryLogger());
    const refused = other.claimRun(run.runId, executor('two'));
    await expect(refused).rejects.toBeInstanceOf(RunClaimedError);
    await expect(refused).rejects.toThrow(/already being executed by job one/);
    expect(await store.getJson(keys.run(run.runId))).toEqual(before);
    // The holder claiming again changes nothing; handing on frees it for the next step.
    await runs.claimRun(run.runId, executor('one'));
    await runs.releaseClaim(run.runId, 'one');
    expect((await other.claimRun(run.runId, executor('two'))).executor?.id).toBe('two');
  });

  it('checks recorded artifacts against their digests: changed or missing is an ExternalError naming the key', async () => {
    const { runs, store } = fixture();
    const run = await runs.createRun(input);
    const digest = await runs.putCheckedArtifact(run.runId, 'manifest', { a: 1 });
    await runs.recordArtifacts(run.runId, { manifest: digest });
    expect(await runs.getArtifact(run.runId, 'manifest')).toEqual({ a: 1 });
    const key = keys.artifact(run.runId, 'manifest');
    await store.putBytes(key, Buffer.from('{"a":2}'), 'application/json');
    const fresh = new RunStore(store, new MemoryLogger());
    await expect(fresh.verifyRecordedArtifacts(run.runId)).rejects.toThrow(/is not the object/);
    await expect(fresh.getArtifact(run.runId, 'manifest')).rejects.toThrow(
      new RegExp(`s3://iac/${key} is not the object run ${run.runId} stored`),
    );
    await store.delete(key);
    await expect(fresh.getArtifact(run.runId, 'manifest')).rejects.toBeInstanceOf(ExternalError);
    await expect(fresh.getArtifact(run.runId, 'manifest')).rejects.toThrow(/is missing/);
  });
});
