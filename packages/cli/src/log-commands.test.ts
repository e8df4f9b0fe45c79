import { keys, MemoryLogger, MemoryObjectStore, putTaskLog, RunStore } from '@deploy-engine/core';
import { parseArgs } from './args';
import { printable, runLogs, runPrune, type LogsCommand, type PruneCommand } from './log-commands';

const target = {
  workspace: 'shop',
  environment: 'prod',
  appKind: 'app' as const,
  appId: 'A1',
  appName: 'orders',
};

async function fixture() {
  const store = new MemoryObjectStore('acme-iac');
  const runs = new RunStore(store, new MemoryLogger());
  const run = await runs.createRun({
    type: 'DEPLOY',
    target,
    version: 'v1',
    workflowRunUrl: 'u',
    tfstate: { bucket: 'tf', region: 'us-east-1' },
    manifestDigest: 'd',
    tasks: [
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'queue' },
    ],
  });
  const [iac, deploy] = run.tasks;
  await runs.startTask(run.runId, iac?.runTaskId as string);
  await runs.finishTask(run.runId, iac?.runTaskId as string, 'SUCCEEDED');
  await putTaskLog(store, run.runId, iac?.runTaskId as string, 'rendered 2 files\n');
  await putTaskLog(store, run.runId, deploy?.runTaskId as string, 'Apply complete! ***\n');
  return { store, run };
}

async function logs(args: string[], store: MemoryObjectStore) {
  const lines: string[] = [];
  const command = parseArgs(['logs', ...args]) as LogsCommand;
  if (command.name !== 'logs') throw new Error('not logs');
  const code = await runLogs(
    command,
    () => store,
    (l) => lines.push(l),
  );
  return { code, text: lines.join('\n') };
}

it('prints the stored log of every task, or of the tasks of one alias, by RUN_ID or bare id with --bucket', async () => {
  const { store, run } = await fixture();
  const all = await logs([`${run.runId}@acme-iac`], store);
  expect(all.code).toBe(0);
  expect(all.text).toContain('rendered 2 files');
  expect(all.text).toContain('Apply complete! ***');
  expect(all.text).toContain('IAC_SELF_HOSTED queue');
  expect(all.text).toContain('(no log: the task did not run)');
  const topic = await logs([run.runId, '--bucket', 'acme-iac', '--task', 'topic'], store);
  expect(topic.text).not.toContain('queue');
  expect(topic.text.match(/^== /gm)).toHaveLength(2);
  const missing = await logs([`${run.runId}@acme-iac`, '--task', 'nope'], store);
  expect(missing.code).toBe(3);
  expect(missing.text).toContain("has no task 'nope'");
  await expect(logs([run.runId], store)).rejects.toThrow('is not a run id');
});

it('prints a stored log inert: no terminal control, no workflow command inside a GitHub job', () => {
  expect(printable('a\u001b[2Jb\u009bc\td')).toBe('a\\x1b[2Jb\\x9bc\td');
  expect(printable('::add-mask::x', {})).toBe('::add-mask::x');
  const wrapped = printable('ok\n::error::forged', { GITHUB_ACTIONS: 'true' });
  const [first, , , last] = wrapped.split('\n');
  const token = /^::stop-commands::([0-9a-f]{32})$/.exec(first ?? '')?.[1];
  expect(last).toBe(`::${token}::`);
});

it('prune is a dry run without --yes, and takes the age in days', async () => {
  const { store, run } = await fixture();
  await new RunStore(store, new MemoryLogger()).finishRun(run.runId, 'RUNTIME_ERROR');
  const lines: string[] = [];
  const command = parseArgs([
    'prune',
    '--older-than',
    '1d',
    '--bucket',
    'acme-iac',
  ]) as PruneCommand;
  if (command.name !== 'prune') throw new Error('not prune');
  // Finished just now: not old enough.
  expect(await runPrune(command, store, (l) => lines.push(l))).toBe(0);
  expect(lines[0]).toContain('0 to delete');
  expect(await store.getJson(keys.run(run.runId))).toBeDefined();
  expect(() => parseArgs(['prune', '--older-than', '30', '--bucket', 'b'])).toThrow(
    '--older-than takes a number of days, e.g. --older-than 90d',
  );
  expect(() => parseArgs(['prune', '--older-than', '0d', '--bucket', 'b'])).toThrow();
});
