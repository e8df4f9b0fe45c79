import { MemoryObjectStore } from '../store';
import { getTaskLog, listTaskLogs, putTaskLog } from './stored-task-logs';

it('stores a task log with its run, and keeps the earlier attempt above when the task runs again', async () => {
  const store = new MemoryObjectStore();
  const at = new Date('2026-01-01T00:00:00.000Z');
  await putTaskLog(store, 'RUN', 'T1', 'attempt 1 failed\n', at);
  expect(await getTaskLog(store, 'RUN', 'T1')).toBe('attempt 1 failed\n');
  await putTaskLog(store, 'RUN', 'T1', 'attempt 2 ok\n', at);
  expect(await getTaskLog(store, 'RUN', 'T1')).toBe(
    'attempt 1 failed\n=== the task ran again (2026-01-01T00:00:00.000Z) ===\nattempt 2 ok\n',
  );
  expect(await listTaskLogs(store, 'RUN')).toEqual(['T1']);
  expect(await getTaskLog(store, 'RUN', 'T2')).toBeUndefined();
});

it('keeps only the end of long earlier attempts', async () => {
  const store = new MemoryObjectStore();
  await putTaskLog(store, 'RUN', 'T1', `${'a'.repeat(2 * 1024 * 1024)}END\n`);
  await putTaskLog(store, 'RUN', 'T1', 'again\n');
  const text = (await getTaskLog(store, 'RUN', 'T1')) as string;
  expect(text.startsWith('[… the beginning is left out]\n')).toBe(true);
  expect(text).toContain('END\n=== the task ran again');
  expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024 + 200);
});
