import type { RunRecord } from '@deploy-engine/core';
import type { CliIo } from './command';
import { formatRun } from './format';
import { changes, watchRun } from './status-watch';

const base: RunRecord = {
  runId: '01J9V6MWFTWQ392331QBCS46KQ',
  type: 'DEPLOY',
  status: 'RUNNING',
  target: { workspace: 'shop', environment: 'prod', appKind: 'app', appId: 'A', appName: 'orders' },
  version: 'v1',
  workflowRunUrl: 'https://github.com/acme/orders/actions/runs/1',
  tfstate: { bucket: 'tf', region: 'us-east-1' },
  manifestDigest: 'd',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  tasks: [
    {
      runTaskId: 't1',
      taskType: 'DEPLOY_SELF_HOSTED',
      pluginAppliedAlias: 'topic',
      status: 'PENDING',
    },
  ],
} as unknown as RunRecord;

function step(status: string, task: string, at: string): RunRecord {
  return {
    ...base,
    status,
    updatedAt: at,
    ...(status !== 'RUNNING' ? { finishedAt: at } : {}),
    // A finished task has its end: its duration must not depend on when the view is drawn.
    tasks: [
      {
        ...base.tasks[0],
        status: task,
        startedAt: '2026-01-01T00:00:01.000Z',
        ...(task !== 'RUNNING' && task !== 'PENDING' ? { finishedAt: at } : {}),
      },
    ],
  } as unknown as RunRecord;
}

const sequence = [
  base,
  step('RUNNING', 'RUNNING', '2026-01-01T00:00:02.000Z'),
  step('SUCCEEDED', 'SUCCEEDED', '2026-01-01T00:00:09.000Z'),
];

function fakeIo(isTTY: boolean, columns = 200) {
  const written: string[] = [];
  const lines: string[] = [];
  const io: CliIo = {
    out: (t) => lines.push(t),
    err: (t) => lines.push(`ERR ${t}`),
    terminal: { isTTY, columns, write: (t) => written.push(t) },
    readStdin: async () => '',
    sleep: async () => undefined,
  };
  return { io, written, lines };
}

describe('watchRun', () => {
  it('redraws in place on a terminal: up to the first row drawn, clear, draw', async () => {
    const { io, written, lines } = fakeIo(true);
    let i = 0;
    const last = await watchRun(async () => sequence[i++], io, 1000);
    expect(last?.status).toBe('SUCCEEDED');
    expect(lines).toEqual([]);
    expect(written).toHaveLength(3);
    expect(written[0]).not.toContain('\x1b[');
    const firstRows = (written[0] as string).split('\n').length - 1;
    expect(written[1]?.startsWith(`\x1b[${firstRows}F\x1b[J`)).toBe(true);
    expect(written[1]).toContain('watching, refreshed');
    // The last view is the final record, without the "watching" line.
    expect(
      written[2]?.startsWith(`\x1b[${(written[1] as string).split('\n').length - 1}F\x1b[J`),
    ).toBe(true);
    expect(written[2]).toContain(`${formatRun(sequence[2] as RunRecord)}\n`);
    expect(written[2]).not.toContain('watching');
  });

  it('counts the rows a long line wraps to on a narrow terminal', async () => {
    const { io, written } = fakeIo(true, 20);
    let i = 0;
    await watchRun(async () => sequence[i++], io, 1000);
    const rows = (written[0] as string)
      .replace(/\n$/, '')
      .split('\n')
      .reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 20)), 0);
    expect(rows).toBeGreaterThan((written[0] as string).split('\n').length);
    expect(written[1]?.startsWith(`\x1b[${rows}F\x1b[J`)).toBe(true);
  });

  it('appends one plain line per change off a terminal, and the view at the start and the end', async () => {
    const { io, written, lines } = fakeIo(false);
    let i = 0;
    await watchRun(async () => sequence[i++], io, 1000);
    expect(written).toEqual([]);
    expect(lines).toEqual([
      formatRun(sequence[0] as RunRecord),
      '2026-01-01T00:00:02.000Z task 1 DEPLOY_SELF_HOSTED topic: PENDING -> RUNNING',
      '2026-01-01T00:00:09.000Z run RUNNING -> SUCCEEDED',
      '2026-01-01T00:00:09.000Z task 1 DEPLOY_SELF_HOSTED topic: RUNNING -> SUCCEEDED',
      `\n${formatRun(sequence[2] as RunRecord)}`,
    ]);
  });

  it('prints nothing new when nothing changed', () => {
    expect(changes(base, { ...base, updatedAt: 'later' })).toEqual([]);
  });
});

describe('hostile text in a run record', () => {
  it('reaches the terminal without its control characters: only our own cursor movement', async () => {
    const hostile = {
      ...step('RUNTIME_ERROR', 'FAILED', '2026-01-01T00:00:05.000Z'),
      error: { kind: 'RUNTIME_ERROR', message: 'boom\x1b]0;pwned\x07\x1b[2J\rdone' },
    } as RunRecord;
    const { io, written } = fakeIo(true);
    const runs = [base, hostile];
    let i = 0;
    await watchRun(async () => runs[i++], io, 1000);
    // eslint-disable-next-line no-control-regex
    const shown = written.join('').replace(/\x1b\[\d+F\x1b\[J/g, '');
    expect(shown).toContain('boom?]0;pwned??[2J?done');
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
});
