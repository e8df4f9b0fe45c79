/**
 * One deployment of a generated app through the built bundles, as a workflow runs it:
 * orchestrate-and-plan, then runtime-tasks, either one step or a pool of `workers` steps at once
 * (each its own process, checkout and RUNNER_TEMP, as separate runners of a matrix would be; same
 * RUN_ID and TASK_LIST, input `WORKERS: <k>`). S3 goes through the counting proxy (with its
 * latency); the marker provider comes from the network mirror.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MotoServer } from '../../test/harness/moto';
import { MARKER_SOURCE, type ProviderMirror } from '../../test/harness/provider-mirror';
import { runAction, type ActionResult } from '../../test/harness/runner';
import type { S3Proxy } from '../../test/harness/s3-proxy';
import { generateApp, markerResource, type Shape } from './shapes';
import { stepS3, type StepS3 } from './s3-stats';

const RSS_HOOK = resolve(__dirname, '..', 'peak-rss.cjs');

export interface EngineRun {
  label: string;
  parallelism: number;
  workers: number;
  ok: boolean;
  /** Why it failed (the steps' error annotations), when it did. */
  error?: string;
  totalMs: number;
  planMs: number;
  applyMs: number;
  /** S3 of orchestrate-and-plan and of the runtime-tasks step(s). */
  planS3: StepS3;
  applyS3: StepS3;
  /** Tasks in TASK_LIST: each is two transitions (started, finished). */
  applyTasks: number;
  peakRssMiB: number;
  /** Wall time in each Terraform command, summed over all steps (from the debug log). */
  terraformMs: Record<string, { count: number; ms: number }>;
  runId: string;
  iacBucket: string;
}

/** Sums the actions' `terraform <command> in <project>: exit 0 after <ms> ms` debug lines. */
function terraformTimes(stdout: string): Record<string, { count: number; ms: number }> {
  const times: Record<string, { count: number; ms: number }> = {};
  for (const m of stdout.matchAll(/::debug::terraform (.+?) in \S+: exit \S+ after (\d+) ms/g)) {
    const entry = (times[m[1] as string] ??= { count: 0, ms: 0 });
    entry.count += 1;
    entry.ms += Number(m[2]);
  }
  return times;
}

function failure(steps: ActionResult[]): string {
  return steps
    .filter((s) => s.exitCode !== 0)
    .map(
      (s) =>
        s.annotations
          .filter((a) => a.level === 'error')
          .map((a) => a.message.split('\n')[0])
          .join(' | ') || `exit ${s.exitCode}: ${s.stderr.slice(-300)}`,
    )
    .join(' || ');
}

export async function deployApp(
  moto: MotoServer,
  proxy: S3Proxy,
  network: ProviderMirror,
  options: { shape: Shape; n: number; delayMs: number; parallelism: number; workers: number },
): Promise<EngineRun> {
  const { shape, n, parallelism, workers } = options;
  const label = workers > 0 ? `k${workers} p${parallelism}` : `p${parallelism}`;
  const appId = `L${shape.toUpperCase()}${n}P${parallelism}K${workers}`;
  const buckets = { tf: `tf-${appId.toLowerCase()}`, iac: `iac-${appId.toLowerCase()}` };
  await moto.createBucket(buckets.tf);
  await moto.createBucket(buckets.iac);
  const checkout = generateApp(n, shape, appId, markerResource(options.delayMs));
  const rssFile = join(checkout, 'rss.txt');
  const env = {
    ...moto.env,
    ...network.env,
    AWS_ENDPOINT_URL_S3: proxy.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: `--require ${RSS_HOOK}`,
    DEPLOY_ENGINE_BENCH_RSS_FILE: rssFile,
  };
  const providers = JSON.stringify([MARKER_SOURCE]);
  proxy.clear();
  const started = Date.now();
  const plan = await runAction('orchestrate-and-plan', {
    workspace: checkout,
    env,
    with: {
      TFSTATE_BUCKET_NAME: buckets.tf,
      IAC_BUCKET_NAME: buckets.iac,
      WORKSPACE: 'bench',
      ENVIRONMENT: 'dev',
      VERSION: 'v1',
      WORKDIR: 'app',
      PLUGINS_PATH: 'plugins',
      TASK_PARALLELISM: String(parallelism),
      FEATURES_TERRAFORM_PROVIDERS: providers,
    },
    timeoutMs: 3600_000,
  });
  const planned = Date.now();
  const planSeen = proxy.seen.length;
  const taskList = plan.outputs.apply_tasks ?? '';
  const steps: ActionResult[] = [plan];
  if (plan.exitCode === 0) {
    const one = (i: number) =>
      runAction('runtime-tasks', {
        // A runner of its own: its own checkout (as actions/checkout gives each job).
        workspace: i === 0 ? checkout : copyOf(checkout),
        env,
        with: {
          RUN_ID: plan.outputs.run_id ?? '',
          TASK_LIST: taskList,
          TASK_PARALLELISM: String(parallelism),
          FEATURES_TERRAFORM_PROVIDERS: providers,
          ...(workers > 0 ? { WORKERS: String(workers) } : {}),
        },
        timeoutMs: 3600_000,
      });
    steps.push(
      ...(await Promise.all(Array.from({ length: Math.max(workers, 1) }, (_, i) => one(i)))),
    );
  }
  const ended = Date.now();
  const ok = steps.every((s) => s.exitCode === 0) && steps.length > 1;
  const rss = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
  return {
    label,
    parallelism,
    workers,
    ok,
    ...(ok ? {} : { error: failure(steps) }),
    totalMs: ended - started,
    planMs: planned - started,
    applyMs: ended - planned,
    planS3: stepS3(proxy.seen.slice(0, planSeen)),
    applyS3: stepS3(proxy.seen.slice(planSeen)),
    applyTasks: taskList ? (JSON.parse(taskList) as unknown[]).length : 0,
    peakRssMiB: Math.max(...rss) / 1024,
    terraformMs: terraformTimes(steps.map((s) => s.stdout).join('\n')),
    runId: (plan.outputs.run_id ?? '').split('@')[0] as string,
    iacBucket: buckets.iac,
  };
}

function copyOf(checkout: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'bench-lat-runner-')), 'checkout');
  cpSync(checkout, copy, { recursive: true });
  return copy;
}
