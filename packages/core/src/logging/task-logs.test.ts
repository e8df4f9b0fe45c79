import { MemoryLogger } from './logger';
import { TaskLogs } from './task-logs';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('TaskLogs', () => {
  it('prints each task whole, as one group, when it ends, however their lines interleaved', async () => {
    const base = new MemoryLogger();
    const logs = new TaskLogs(base, 0);
    const work = (name: string, steps: number) =>
      logs.task(name, async () => {
        for (let i = 1; i <= steps; i++) {
          logs.info(`${name} line ${i}`);
          await tick();
        }
      });
    await Promise.all([work('A', 3), work('B', 1)]);
    const flat = base.entries.map((e) => `${e.level}: ${e.message}`);
    const b = flat.findIndex((l) => /^group: B \(done, /.test(l));
    const a = flat.findIndex((l) => /^group: A \(done, /.test(l));
    expect(flat.slice(b, b + 2)).toEqual([expect.stringMatching(/^group: B/), 'info: B line 1']);
    expect(flat.slice(a, a + 4)).toEqual([
      expect.stringMatching(/^group: A/),
      'info: A line 1',
      'info: A line 2',
      'info: A line 3',
    ]);
    expect(flat).toContain('info: ▶ B started (2 running)');
  });

  it('says a task failed in its group title, keeps warnings with their location, and prints progress', async () => {
    const base = new MemoryLogger();
    let now = 0;
    const logs = new TaskLogs(base, 0, () => now);
    const failing = logs.task('C', async () => {
      logs.warning('careful', { file: 'main.tf', line: 3 });
      logs.info('terraform is applying');
      now = 42000;
      logs.progress();
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(base.messages('info')).toContain('⏳ C: 42 s — terraform is applying');
    expect(base.messages('group')).toEqual(['C (failed, 42.0 s)']);
    expect(base.entries.find((e) => e.level === 'warning')).toMatchObject({
      message: 'careful',
      location: { file: 'main.tf', line: 3 },
    });
  });
});
