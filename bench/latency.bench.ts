/**
 * Deployment with the latency real clouds have, side by side in one run: generated apps (chain,
 * fan-out, diamond; bench/latency/shapes.ts) whose every plugin is one `marker_value` of the test
 * provider taking --delay-ms to create (default 5 s), S3 behind the counting proxy adding
 * --latency-ms per request (default 25 ms). Variants (--variants, any of):
 *   seq      our sequential run: orchestrate-and-plan + runtime-tasks, first deployment;
 *   raw      raw Terraform init + plan -out + apply <plan> of the same rendered projects, one after
 *            another (--raw-max M: only the first M, extrapolated to N and marked "~");
 *   par      TASK_PARALLELISM --parallel (default 8) on both steps, against the critical-path bound
 *            (longest dependency chain x one plugin's raw time) and the bound with that many slots;
 *   workers  a pool of k runtime-tasks (--workers 1,2,4; input WORKERS: k; TASK_PARALLELISM
 *            --worker-parallel, default 4, each; own checkout and RUNNER_TEMP, same RUN_ID and
 *            TASK_LIST): time, S3 requests per plugin, claim conflicts (412 on task state), bytes
 *            written per task transition;
 *   aws      the real hashicorp/aws provider of the image against moto (no added latency),
 *            --aws 1,2,4,8 projects at once: memory per Terraform process and how many fit.
 * Each engine variant and each baseline runs on a fresh moto_server and proxy.
 *
 * Run: npx tsx bench/latency.bench.ts [--sizes 10] [--shapes chain,fanout,diamond]
 *        [--variants seq,raw,par,workers] [--parallel 8] [--workers 1,2,4] [--worker-parallel 4]
 *        [--delay-ms 5000] [--latency-ms 25] [--raw-max N] [--aws 1,2,4,8] [--out bench/results]
 * Writes <out>/latency-<timestamp>.json and .md and prints the markdown. `--from a.json,b.json`
 * runs nothing: it prints the markdown of earlier runs' JSON files together (rows in file order).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startMoto, type MotoServer } from '../test/harness/moto';
import { startProviderMirror } from '../test/harness/provider-mirror';
import { startS3Proxy, type S3Proxy } from '../test/harness/s3-proxy';
import { awsLevels } from './latency/aws-memory';
import { deployApp, type EngineRun } from './latency/engine-run';
import { latencyMarkdown, type Aws, type Row, type Settings } from './latency/report';
import { rawBaseline, renderedProjects, type RawRun } from './latency/raw-run';
import type { Shape } from './latency/shapes';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const list = (name: string, fallback: string) => arg(name, fallback).split(',').filter(Boolean);
const sizes = list('sizes', '10').map(Number);
const shapes = list('shapes', 'chain,fanout,diamond') as Shape[];
const variants = new Set(list('variants', 'seq,raw,par,workers'));
const parallel = Number(arg('parallel', '8'));
const workerCounts = list('workers', '1,2,4').map(Number);
const workerParallel = Number(arg('worker-parallel', '4'));
const delayMs = Number(arg('delay-ms', '5000'));
const latencyMs = Number(arg('latency-ms', '25'));
const rawMax = Number(arg('raw-max', '100000'));
const awsAtOnce = list('aws', '1,2,4,8').map(Number);
const outDir = resolve(arg('out', 'bench/results'));

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

async function isolated<T>(
  latency: number,
  fn: (moto: MotoServer, proxy: S3Proxy) => Promise<T>,
): Promise<T> {
  const moto = await startMoto();
  const proxy = await startS3Proxy(moto.endpoint, [], { latencyMs: latency });
  try {
    await moto.createBucket('bench-tf');
    return await fn(moto, proxy);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

/** The markdown of earlier runs together (`--from`). */
function render(files: string[]): void {
  const runs = files.map(
    (f) => JSON.parse(readFileSync(f, 'utf8')) as { settings: Settings; rows: Row[]; aws?: Aws },
  );
  const first = runs[0]?.settings as Settings;
  const last = runs[runs.length - 1]?.settings as Settings;
  const aws = runs.find((r) => r.aws)?.aws;
  console.log(
    latencyMarkdown(
      runs.flatMap((r) => r.rows),
      aws,
      { ...first, when: last.when },
    ),
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--from')) return render(list('from', ''));
  const started = new Date().toISOString();
  const network = await startProviderMirror();
  const rows: Row[] = [];
  const say = (text: string) =>
    console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
  try {
    for (const n of sizes) {
      for (const shape of shapes) {
        const row: Row = { shape, n, runs: [] };
        let projects: string[] = [];
        const engine = async (parallelism: number, workers: number, keep: boolean) => {
          const before = load();
          const run = await isolated(latencyMs, async (moto, proxy) => {
            const r = await deployApp(moto, proxy, network, {
              shape,
              n,
              delayMs,
              parallelism,
              workers,
            });
            if (keep && r.ok && projects.length === 0)
              projects = await renderedProjects(moto, r.iacBucket, r.runId, n);
            return r;
          });
          const withLoad: EngineRun & { load: number[][] } = { ...run, load: [before, load()] };
          row.runs.push(withLoad);
          say(
            `${shape} N=${n} ${run.label}: ${run.ok ? `${(run.totalMs / 1000).toFixed(1)} s` : `FAILED ${run.error}`} (load ${before[0]} -> ${load()[0]})`,
          );
        };
        if (variants.has('seq')) await engine(1, 0, true);
        if (variants.has('par')) await engine(parallel, 0, true);
        if (variants.has('workers'))
          for (const k of workerCounts) await engine(workerParallel, k, true);
        if (variants.has('raw') && projects.length > 0) {
          const before = load();
          const raw: RawRun = await isolated(latencyMs, (moto, proxy) =>
            rawBaseline(
              proxy.endpoint,
              () => proxy.seen.length,
              moto.env,
              network,
              projects,
              rawMax,
            ),
          );
          row.raw = { ...raw, load: [before, load()] };
          say(
            `${shape} N=${n} raw: ${(raw.ms / 1000).toFixed(1)} s for ${raw.measured} of ${raw.total} (${(raw.perPluginMs / 1000).toFixed(2)} s per plugin)`,
          );
        }
        rows.push(row);
      }
    }
  } finally {
    await network.stop();
  }
  const aws = variants.has('aws')
    ? await isolated(0, async (moto) => ({ ...(await awsLevels(moto, awsAtOnce)), load: load() }))
    : undefined;
  const when = new Date().toISOString();
  const settings = { delayMs, latencyMs, parallel, workerParallel, rawMax, started, when };
  mkdirSync(outDir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  writeFileSync(
    join(outDir, `latency-${stamp}.json`),
    `${JSON.stringify({ settings, rows, aws }, null, 2)}\n`,
  );
  const md = latencyMarkdown(rows, aws, settings);
  writeFileSync(join(outDir, `latency-${stamp}.md`), md);
  console.log(md);
}

void main();
