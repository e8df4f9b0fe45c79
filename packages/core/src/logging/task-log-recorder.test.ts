import { MemoryLogger } from './logger';
import { TaskLogRecorder } from './task-log-recorder';

const SECRET = 'db-password-0123456789';
const BASE64 = Buffer.from(SECRET).toString('base64');

function recorder(options: ConstructorParameters<typeof TaskLogRecorder>[1] = {}) {
  const base = new MemoryLogger();
  const saved: string[] = [];
  const logs = new TaskLogRecorder(base, {
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    ...options,
  });
  const run = <T>(fn: () => Promise<T>) =>
    logs.task(fn, async (text) => {
      saved.push(text);
    });
  return { base, logs, saved, run };
}

it('keeps the lines of a task, still printing them, and stores them masked in their encoded forms', async () => {
  const { base, logs, saved, run } = recorder();
  logs.info('before any task: not kept');
  await run(async () => {
    logs.info(`printed before it is registered: ${SECRET} and ${BASE64}`);
    logs.addSecret(SECRET);
    logs.warning(`url ${encodeURIComponent(SECRET)}`, { file: 'plugins/a/main.tf', line: 3 });
    logs.debug('not kept');
    await logs.group('terraform apply', async () => logs.info('Apply complete!'));
  });
  expect(saved).toHaveLength(1);
  const text = saved[0] as string;
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(BASE64);
  expect(text.split('\n')).toEqual([
    '2026-01-01T00:00:00.000Z printed before it is registered: *** and ***',
    '2026-01-01T00:00:00.000Z warning: url *** (plugins/a/main.tf:3)',
    '2026-01-01T00:00:00.000Z — terraform apply',
    '2026-01-01T00:00:00.000Z Apply complete!',
    '',
  ]);
  // The job log still gets every line, the debug one too.
  expect(base.messages('debug')).toEqual(['not kept']);
  expect(base.messages('info')).toContain('before any task: not kept');
});

it("also masks with the step's own masker and the secrets known at the start", async () => {
  const { saved, run, logs } = recorder({
    secrets: ['AKIAKNOWNATSTART0001'],
    mask: (text) => text.split('runner-known-secret').join('***'),
  });
  await run(async () => logs.info('AKIAKNOWNATSTART0001 runner-known-secret'));
  expect(saved[0]).toContain('*** ***');
});

it('stores the log of a failed task with the failure as its last line, and rethrows', async () => {
  const { saved, run, logs } = recorder();
  logs.addSecret(SECRET);
  await expect(
    run(async () => {
      logs.info('terraform apply');
      throw new Error(`apply failed for ${SECRET}`);
    }),
  ).rejects.toThrow('apply failed');
  expect(saved[0]).toMatch(/terraform apply\n.*error: The task failed: apply failed for \*\*\*\n$/);
});

it('a failure to store is a warning: the task result stands', async () => {
  const base = new MemoryLogger();
  const logs = new TaskLogRecorder(base);
  await expect(
    logs.task(
      async () => 42,
      async () => {
        throw new Error('S3 down');
      },
    ),
  ).resolves.toBe(42);
  expect(base.messages('warning')).toEqual([expect.stringContaining('S3 down')]);
});

it('keeps tasks running at once apart', async () => {
  const { saved, run, logs } = recorder();
  const tick = () => new Promise((r) => setTimeout(r, 5));
  await Promise.all([
    run(async () => {
      logs.info('a1');
      await tick();
      logs.info('a2');
    }),
    run(async () => {
      logs.info('b1');
      await tick();
      logs.info('b2');
    }),
  ]);
  const lines = saved.map((t) => t.replace(/^\S+ /gm, '').trim());
  expect(lines.sort()).toEqual(['a1\na2', 'b1\nb2']);
});

it('caps the stored text, keeping its beginning and its end with a marker', async () => {
  const { saved, run, logs } = recorder({ maxBytes: 4000 });
  await run(async () => {
    for (let i = 0; i < 1000; i++) logs.info(`line ${i}`);
    logs.info('x'.repeat(100000));
    logs.info('the last line');
  });
  const text = saved[0] as string;
  expect(Buffer.byteLength(text)).toBeLessThan(4000 + 400);
  expect(text).toContain('Z line 0\n');
  expect(text).toMatch(/\[… \d+ line\(s\), \d+ bytes, left out here/);
  expect(text.trimEnd().endsWith('the last line')).toBe(true);
});
