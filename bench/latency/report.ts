/** The latency benchmark's markdown: one table per question of issue 22. */
import type { AwsLevel } from './aws-memory';
import type { EngineRun } from './engine-run';
import type { RawRun } from './raw-run';
import { waves, type Shape } from './shapes';

export interface Row {
  shape: Shape;
  n: number;
  runs: (EngineRun & { load: number[][] })[];
  raw?: RawRun & { load: number[][] };
}

export interface Settings {
  delayMs: number;
  latencyMs: number;
  parallel: number;
  workerParallel: number;
  started: string;
  when: string;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '—');
/** A failure's first words: the whole error is in the JSON. */
const failed = (run: EngineRun) => `failed: ${(run.error ?? '').slice(0, 90)}…`;
const loads = (l: number[][]) => `${l[0]?.[0] ?? '?'} → ${l[1]?.[0] ?? '?'}`;

/** The raw time of all N plugins (extrapolated from the measured ones when not all ran). */
function rawTotal(row: Row): { ms: number; text: string } | undefined {
  if (!row.raw) return undefined;
  const ms = row.raw.perPluginMs * row.n;
  const text = row.raw.measured < row.n ? `~${s(ms)} (${row.raw.measured} run)` : s(ms);
  return { ms, text };
}

function inTerraform(run: EngineRun): string {
  const ms = Object.values(run.terraformMs).reduce((sum, t) => sum + t.ms, 0);
  return `${Math.round((100 * ms) / run.totalMs)} %`;
}

function s3PerPlugin(run: EngineRun, n: number): string {
  const ours = run.planS3.ours + run.applyS3.ours;
  const tf = run.planS3.terraform + run.applyS3.terraform;
  return `${(ours / n).toFixed(1)} / ${(tf / n).toFixed(1)}`;
}

function sequential(rows: Row[]): string[] {
  const lines = [
    '| shape | N | sequential | raw init+plan+apply | seq / raw | Terraform share | S3 req/plugin ours / Terraform (engine) | Terraform S3 req/plugin (raw) | load 1 min (seq; raw) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const seq = row.runs.find((r) => r.workers === 0 && r.parallelism === 1);
    if (!seq) continue;
    const raw = rawTotal(row);
    lines.push(
      `| ${row.shape} | ${row.n} | ${seq.ok ? s(seq.totalMs) : failed(seq)} | ${raw?.text ?? '—'} | ${seq.ok ? ratio(seq.totalMs, raw?.ms) : '—'} | ${inTerraform(seq)} | ${s3PerPlugin(seq, row.n)} | ${row.raw ? row.raw.s3PerPlugin.toFixed(1) : '—'} | ${loads(seq.load)}; ${row.raw ? loads(row.raw.load) : '—'} |`,
    );
  }
  return lines;
}

function parallel(rows: Row[], p: number): string[] {
  const lines = [
    `| shape | N | p${p} | one plugin raw | critical-path bound | p${p} / bound | bound with ${p} slots | p${p} / slot bound | load 1 min |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const run = row.runs.find((r) => r.workers === 0 && r.parallelism === p);
    if (!run) continue;
    const one = row.raw?.perPluginMs;
    const bound = one ? waves(row.shape, row.n) * one : undefined;
    const slotBound = one ? waves(row.shape, row.n, p) * one : undefined;
    lines.push(
      `| ${row.shape} | ${row.n} | ${run.ok ? s(run.totalMs) : failed(run)} | ${one ? s(one) : '—'} | ${bound ? s(bound) : '—'} | ${run.ok ? ratio(run.totalMs, bound) : '—'} | ${slotBound ? s(slotBound) : '—'} | ${run.ok ? ratio(run.totalMs, slotBound) : '—'} | ${loads(run.load)} |`,
    );
  }
  return lines;
}

function workers(rows: Row[], p: number): string[] {
  const lines = [
    `| shape | N | workers (p${p} each) | time | bound with k×${p} slots | S3 req/plugin ours / Terraform | Terraform S3 req/plugin (raw) | claim conflicts (412) | task-state PUTs (record) | bytes per transition | task-state bytes, whole runtime-tasks | peak RSS of a step | load 1 min |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    for (const run of row.runs.filter((r) => r.workers > 0)) {
      const one = row.raw?.perPluginMs;
      const slotBound = one ? waves(row.shape, row.n, run.workers * p) * one : undefined;
      const a = run.applyS3;
      const transitions = 2 * run.applyTasks;
      lines.push(
        `| ${row.shape} | ${row.n} | ${run.workers} | ${run.ok ? s(run.totalMs) : failed(run)} | ${slotBound ? `${s(slotBound)} (${ratio(run.totalMs, slotBound)}×)` : '—'} | ${s3PerPlugin(run, row.n)} | ${row.raw ? row.raw.s3PerPlugin.toFixed(1) : '—'} | ${a.conflicts} | ${a.taskStatePuts} (${a.recordPuts}) | ${transitions ? Math.round(a.taskStateBytes / transitions) : '—'} | ${(a.taskStateBytes / 1024).toFixed(0)} KiB | ${run.peakRssMiB.toFixed(0)} MiB | ${loads(run.load)} |`,
      );
    }
  }
  return lines;
}

export interface Aws {
  mirror: string;
  memTotalMiB: number;
  warmupMs: number;
  levels: AwsLevel[];
  load: number[];
}

function awsTable(aws: Aws): string[] {
  const worst = Math.max(...aws.levels.map((l) => l.commandPeakMiB.max));
  const fit = Math.floor(aws.memTotalMiB / worst);
  return [
    `Real hashicorp/aws provider (${aws.mirror}) against moto_server, no added latency; each project: init + plan -out + apply <plan> of an S3 bucket, an SQS queue and an SNS topic. Warm-up (first load from disk, not in the table): ${s(aws.warmupMs)}. Memory per command: peak RSS of terraform plus its provider processes at one moment (sampled every 100 ms from /proc).`,
    '',
    '| projects at once | wall time | per project | peak RSS per command (max / median) | provider process alone (max) | peak RSS of all at once | CPU s per project |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...aws.levels.map(
      (l) =>
        `| ${l.atOnce} | ${s(l.wallMs)} | ${s(l.wallMs / l.atOnce)} | ${l.commandPeakMiB.max.toFixed(0)} / ${l.commandPeakMiB.median.toFixed(0)} MiB | ${l.providerPeakMiB.toFixed(0)} MiB | ${l.peakTotalMiB.toFixed(0)} MiB | ${l.cpuSecondsPerProject.toFixed(1)} |`,
    ),
    '',
    `Memory: ${(aws.memTotalMiB / 1024).toFixed(1)} GiB / ${worst.toFixed(0)} MiB per command = ${fit} Terraform processes with the AWS provider at once, by memory alone (load after: ${aws.load[0]}).`,
  ];
}

export function latencyMarkdown(rows: Row[], aws: Aws | undefined, settings: Settings): string {
  const out = [
    `### Deployment with cloud latency (${settings.started} – ${settings.when})`,
    '',
    `Every plugin: one \`marker_value\` taking ${settings.delayMs} ms to create; S3 behind the proxy at +${settings.latencyMs} ms per request. Times: orchestrate-and-plan + runtime-tasks of a first deployment. Raw: \`init\` + \`plan -out\` + \`apply <plan>\` of the same rendered projects, one after another. Load: 1-minute load average before → after (2 cores, shared with other work).`,
    '',
  ];
  if (rows.some((r) => r.runs.some((x) => x.workers === 0 && x.parallelism === 1)))
    out.push('#### Sequential against raw Terraform (target ≤ 1.10)', '', ...sequential(rows), '');
  if (rows.some((r) => r.runs.some((x) => x.workers === 0 && x.parallelism === settings.parallel)))
    out.push(
      `#### TASK_PARALLELISM ${settings.parallel} against the critical-path bound (target ≤ 1.25 on fan-out and diamond)`,
      '',
      ...parallel(rows, settings.parallel),
      '',
    );
  if (rows.some((r) => r.runs.some((x) => x.workers > 0)))
    out.push(
      '#### A pool of k runtime-tasks (WORKERS: k)',
      '',
      'S3 requests and bytes: the runtime-tasks steps only, per plugin over the whole run for the requests. Task state: the run record plus runs/<ulid>/tasks/ and claims/ objects; a transition: a task started or finished (2 per task in TASK_LIST).',
      '',
      ...workers(rows, settings.workerParallel),
      '',
    );
  if (aws)
    out.push('#### Real AWS provider: memory per Terraform process', '', ...awsTable(aws), '');
  return out.join('\n');
}
