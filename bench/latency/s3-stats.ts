/**
 * What the counting proxy saw during one step, sorted out: requests of ours and of Terraform, the
 * conditional writes on task state that lost (412), and the bytes written to task state. Task
 * state is the run record (`runs/<ulid>/record.json`) plus the per-task objects beside it
 * (`runs/<ulid>/tasks/...`, `runs/<ulid>/claims/...`): task transitions are moving out of the
 * record into such objects, and both are counted. Heartbeats and worker objects are not task
 * state (they are written on a clock, not per transition).
 */
import type { SeenRequest } from '../../test/harness/s3-proxy';

export interface StepS3 {
  ours: number;
  terraform: number;
  /** 412 answers to our writes on task state (claims and transitions that lost a race). */
  conflicts: number;
  /** 412 answers to Terraform (its lock file). */
  terraformConflicts: number;
  /** Our PUTs on task state, and their bytes. */
  taskStatePuts: number;
  taskStateBytes: number;
  /** Of which on the run record itself. */
  recordPuts: number;
  recordBytes: number;
  /** Our requests by method and key pattern (ids replaced by *), to see where they go. */
  byKey: Record<string, number>;
}

/** `GET runs/*\/tasks/*`: the key with its bucket, run id and last part generalised. */
function keyPattern(r: SeenRequest): string {
  const [path = '', query = ''] = r.path.split('?');
  const parts = path
    .replace(/^\/[^/]+\/?/, '')
    .replace(/[0-9A-Z]{26}/g, '*')
    .split('/');
  const last = parts.length - 1;
  // A fixed name directly in a run's folder (record.json) stays; ids and aliases go.
  if (last > 0 && parts[last - 1] !== '*') parts[last] = (parts[last] ?? '').replace(/^[^.]*/, '*');
  const prefix = /(?:^|&)prefix=([^&]*)/.exec(query)?.[1];
  const list = /(?:^|&)list-type=2/.test(query)
    ? ` (list ${(prefix ?? '').replace(/[0-9A-Z]{26}/g, '*')})`
    : '';
  return `${r.method} ${parts.join('/')}${list}`;
}

const isTerraform = (r: SeenRequest) => r.userAgent.includes('Terraform');

/** `runs/<ulid>/` followed by the record or a per-task object. */
function taskStateKey(path: string): 'record' | 'task' | undefined {
  const key = /\/runs\/[0-9A-Z]{26}\/(.+?)(\?|$)/.exec(path)?.[1];
  if (!key) return undefined;
  if (key === 'record.json') return 'record';
  if (/^(tasks|claims)\//.test(key)) return 'task';
  return undefined;
}

export function stepS3(seen: readonly SeenRequest[]): StepS3 {
  const s3 = seen.filter((r) => r.service === 's3');
  const stats: StepS3 = {
    ours: 0,
    terraform: 0,
    conflicts: 0,
    terraformConflicts: 0,
    taskStatePuts: 0,
    taskStateBytes: 0,
    recordPuts: 0,
    recordBytes: 0,
    byKey: {},
  };
  for (const r of s3) {
    if (isTerraform(r)) {
      stats.terraform++;
      if (r.status === 412) stats.terraformConflicts++;
      continue;
    }
    stats.ours++;
    const pattern = keyPattern(r);
    stats.byKey[pattern] = (stats.byKey[pattern] ?? 0) + 1;
    const kind = taskStateKey(r.path);
    if (!kind) continue;
    if (r.status === 412) stats.conflicts++;
    if (r.method !== 'PUT') continue;
    stats.taskStatePuts++;
    stats.taskStateBytes += r.bytes;
    if (kind === 'record') {
      stats.recordPuts++;
      stats.recordBytes += r.bytes;
    }
  }
  return stats;
}
