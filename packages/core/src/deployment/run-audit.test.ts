import { MemoryLogger } from '../logging';
import { RunStore } from '../runs';
import type { RunAudit } from '../audit';
import { MemoryObjectStore, type ObjectStore } from '../store';
import { DeploymentHistory } from '../workspace';
import { describeApproval, historyAudit, recordApproval } from './run-audit';

const target = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app' as const,
  appId: 'A1',
  appName: 'orders',
};
const audit: RunAudit = {
  source: 'github',
  actor: 'octocat',
  triggeringActor: 'hubot',
  repository: 'acme/orders',
  repositoryNameInput: 'acme/orders',
  commit: '0123456789abcdef',
  ref: 'refs/heads/main',
  eventName: 'push',
  workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
};

function open(store: ObjectStore = new MemoryObjectStore()) {
  const logger = new MemoryLogger();
  const runs = new RunStore(store, logger);
  const created = runs.createRun({
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [{ taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' }],
    audit,
  });
  return { runs, logger, created };
}

it('records the audit with the run, adds the approval, and the history keeps both', async () => {
  const store = new MemoryObjectStore();
  const { runs, logger, created } = open(store);
  const run = await created;
  expect((await runs.getRun(run.runId))?.audit).toEqual(audit);
  const approval = {
    readAt: '2026-01-01T00:00:00.000Z',
    reviews: [
      { state: 'approved' as const, login: 'alice', environments: ['prod'], comment: 'ok' },
    ],
  };
  const approved = await recordApproval({ runs, logger }, run, approval);
  expect(approved.audit).toEqual({ ...audit, approval });
  expect((await runs.getRun(run.runId))?.audit).toEqual({ ...audit, approval });
  expect(logger.messages('info')).toEqual([
    'Approval: approved by alice (environment prod): "ok".',
  ]);
  const history = new DeploymentHistory(store);
  await history.record(
    target,
    {
      runId: run.runId,
      version: 'v1',
      finishedAt: 'now',
      manifestDigest: 'd',
      manifest: {},
      iac: {},
      ...historyAudit(approved),
    },
    { keepVersion: true },
  );
  expect((await history.getLast(target))?.audit?.approval?.reviews?.[0]?.login).toBe('alice');
  expect((await history.listDeployed(target))[0]?.audit?.commit).toBe('0123456789abcdef');
});

it('a reason instead of reviews is recorded and printed; a failed write is a warning, not a failure', async () => {
  const memory = new MemoryObjectStore();
  const { runs, logger, created } = open(memory);
  const run = await created;
  // Every later record write fails.
  const failing = new RunStore(
    {
      ...memory,
      bucket: memory.bucket,
      getJson: (k) => memory.getJson(k),
      list: (p) => memory.list(p),
      delete: (k, c) => memory.delete(k, c),
      getBytes: (k) => memory.getBytes(k),
      putBytes: (k, b, t) => memory.putBytes(k, b, t),
      putJson: async () => {
        throw new Error('S3 down');
      },
    },
    logger,
  );
  const reason = { readAt: 'now', unavailable: 'GitHub answered 403.' };
  const same = await recordApproval({ runs: failing, logger }, run, reason);
  expect(same).toBe(run);
  expect(logger.messages('info')).toEqual(['Approval not recorded: GitHub answered 403.']);
  expect(logger.messages('warning')).toEqual([expect.stringContaining('S3 down')]);
  expect((await runs.getRun(run.runId))?.audit?.approval).toBeUndefined();
  expect(await recordApproval({ runs, logger }, run, undefined)).toBe(run);
});

it('describes a run without environment reviews', () => {
  expect(describeApproval({ readAt: 'now', reviews: [] })).toContain('no environment review');
});
