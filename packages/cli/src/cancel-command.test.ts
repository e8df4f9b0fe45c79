import {
  MemoryLogger,
  MemoryObjectStore,
  RunStore,
  type CreateRunInput,
  type RunRecord,
} from '@deploy-engine/core';
import { parseArgs } from './args';
import { runCancel, type CancelCommand } from './cancel-command';

const input: CreateRunInput = {
  type: 'DEPLOY',
  target: {
    workspace: 'shop',
    environment: 'prod',
    appKind: 'app',
    appId: 'A1',
    appName: 'orders',
  },
  version: 'v1',
  workflowRunUrl: 'unknown (not started by a GitHub workflow)',
  tfstate: { bucket: 'tf', region: 'us-east-1' },
  manifestDigest: 'd',
  tasks: [{ taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
};

async function fixture() {
  const store = new MemoryObjectStore('iac');
  const runs = new RunStore(store, new MemoryLogger());
  const run = await runs.createRun(input);
  const lines: string[] = [];
  const asked: string[] = [];
  const cancel = (
    command: Partial<CancelCommand>,
    io: { interactive: boolean; answer?: string },
  ): Promise<number> =>
    runCancel(
      { name: 'cancel', runRef: `${run.runId}@iac`, yes: false, by: 'ana', ...command },
      runs,
      store,
      {
        out: (line) => lines.push(line),
        interactive: io.interactive,
        ask: async (question) => {
          asked.push(question);
          return io.answer ?? '';
        },
      },
    );
  const status = async () => (await runs.getRun(run.runId)) as RunRecord;
  return { store, runs, run, lines, asked, cancel, status };
}

describe('deploy-engine cancel', () => {
  it('is parsed with its RUN_ID, --yes and --by', () => {
    expect(parseArgs(['cancel', 'X@iac', '--yes', '--by', 'ana'])).toEqual({
      name: 'cancel',
      runRef: 'X@iac',
      yes: true,
      by: 'ana',
    });
    expect(() => parseArgs(['cancel'])).toThrow(/cancel needs a RUN_ID/);
  });

  it('without a terminal, refuses without --yes and changes nothing', async () => {
    const { cancel, lines, status, store, asked } = await fixture();
    expect(await cancel({}, { interactive: false })).toBe(1);
    expect(lines.join('\n')).toMatch(
      /is RUNNING[\s\S]*It holds the lock[\s\S]*Not cancelled: standard input is not a terminal[\s\S]*deploy-engine cancel .* --yes/,
    );
    expect(asked).toEqual([]);
    expect((await status()).status).toBe('RUNNING');
    expect(await store.list('locks/')).toHaveLength(1);
  });

  it('on a terminal, cancels only when the run id is typed back', async () => {
    const { cancel, lines, status, store, asked, run } = await fixture();
    expect(await cancel({}, { interactive: true, answer: 'yes' })).toBe(1);
    expect(lines.at(-1)).toBe("Not cancelled: 'yes' is not the run id.");
    expect((await status()).status).toBe('RUNNING');
    expect(await cancel({}, { interactive: true, answer: ` ${run.runId}\n` })).toBe(0);
    expect(asked).toEqual(Array(2).fill(`Type the run id (${run.runId}) to cancel it: `));
    expect(await status()).toMatchObject({
      status: 'ABORTED',
      error: { message: 'cancelled with deploy-engine cancel by ana' },
    });
    expect(await store.list('locks/')).toEqual([]);
    expect(lines.at(-1)).toContain('is ABORTED (1 task(s) aborted); the lock of');
  });

  it('with --yes, cancels without asking; a finished run is left as it is', async () => {
    const { cancel, lines, status, asked } = await fixture();
    expect(await cancel({ yes: true }, { interactive: false })).toBe(0);
    expect((await status()).status).toBe('ABORTED');
    expect(await cancel({ yes: true }, { interactive: false })).toBe(0);
    expect(lines.at(-1)).toMatch(/already ended ABORTED at .*: nothing to cancel/);
    expect(asked).toEqual([]);
  });
});
