/**
 * Deployment at scale, measured side by side in one run: generated applications of N plugins in
 * three shapes (chain, fan-out from one root, diamond: root -> N-2 middles -> one sink), deployed
 * through the built bundles (orchestrate-and-plan then runtime-tasks, real Terraform, moto_server
 * behind a counting proxy on 127.0.0.1) task by task and with TASK_PARALLELISM 2 and 4, against
 * two raw-Terraform baselines run by a plain loop on the very same rendered projects, one after
 * another: `terraform init` + `apply`, and `init` + `plan -out` + `apply <plan>`. Also: the time
 * spent in each Terraform command, S3 requests per plugin (ours and Terraform's), the actions'
 * peak memory, and each bundle's cold start.
 *
 * Run: npx tsx bench/deploy.bench.ts [--sizes 1,10,50] [--shapes chain,fanout,diamond]
 *        [--parallel 1,2,4] [--out bench/results]
 * Writes <out>/deploy-<timestamp>.json and .md, and prints the markdown.
 * To look inside one variant: BENCH_TRACE=<prefix> writes the S3 requests of each variant to
 * <prefix>-<app>.txt, and BENCH_NODE_OPTIONS adds to the actions' NODE_OPTIONS (a `--require`d
 * profiler hook, say: --cpu-prof is not allowed there).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMoto, type MotoServer } from '../test/harness/moto';
import { runAction } from '../test/harness/runner';
import { startS3Proxy, type S3Proxy } from '../test/harness/s3-proxy';
import { s3BackendConfig, terraform } from '../test/harness/terraform';
import { generateApp, terraformDataResource, type Shape } from './latency/shapes';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const sizes = arg('sizes', '1,10,50').split(',').map(Number);
const shapes = arg('shapes', 'chain,fanout,diamond').split(',') as Shape[];
const parallels = arg('parallel', '1,2,4').split(',').map(Number);
const outDir = resolve(arg('out', 'bench/results'));
const RSS_HOOK = resolve(__dirname, 'peak-rss.cjs');

interface Variant {
  parallelism: number;
  totalMs: number;
  planMs: number;
  applyMs: number;
  s3Ours: number;
  s3Terraform: number;
  peakRssMiB: number;
  /** Wall time spent in each Terraform command, summed over the run (from the debug log). */
  terraformMs: Record<string, { count: number; ms: number }>;
  runId: string;
  iacBucket: string;
}

async function deploy(
  moto: MotoServer,
  proxy: S3Proxy,
  shape: Shape,
  n: number,
  parallelism: number,
): Promise<Variant> {
  const appId = `B${shape.toUpperCase()}${n}P${parallelism}`;
  // Fresh buckets per variant: moto lists a prefix by scanning the whole bucket, so variants run
  // later would otherwise pay for the objects of those before them.
  const buckets = { tf: `tf-${appId.toLowerCase()}`, iac: `iac-${appId.toLowerCase()}` };
  await moto.createBucket(buckets.tf);
  await moto.createBucket(buckets.iac);
  const checkout = generateApp(n, shape, appId, terraformDataResource);
  const rssFile = join(checkout, 'rss.txt');
  const env = {
    ...moto.env,
    AWS_ENDPOINT_URL_S3: proxy.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: `--require ${RSS_HOOK} ${process.env.BENCH_NODE_OPTIONS ?? ''}`,
    DEPLOY_ENGINE_BENCH_RSS_FILE: rssFile,
  };
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
    },
  });
  const planned = Date.now();
  const apply = await runAction('runtime-tasks', {
    workspace: checkout,
    env,
    with: {
      RUN_ID: plan.outputs.run_id ?? '',
      TASK_LIST: plan.outputs.apply_tasks ?? '',
      TASK_PARALLELISM: String(parallelism),
    },
  });
  const ended = Date.now();
  if (plan.exitCode !== 0 || apply.exitCode !== 0)
    throw new Error(`deploy failed:\n${plan.log}\n${plan.stderr}\n${apply.log}\n${apply.stderr}`);
  const s3 = proxy.seen.filter((r) => r.service === 's3');
  const terraformMs = terraformTimes(`${plan.stdout}\n${apply.stdout}`);
  if (process.env.BENCH_TRACE)
    writeFileSync(
      `${process.env.BENCH_TRACE}-${appId}.txt`,
      s3
        .map((r) => `${r.userAgent.includes('Terraform') ? 'TF ' : 'US '}${r.method} ${r.path}`)
        .join('\n'),
    );
  const rss = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
  return {
    parallelism,
    totalMs: ended - started,
    planMs: planned - started,
    applyMs: ended - planned,
    s3Ours: s3.filter((r) => !r.userAgent.includes('Terraform')).length,
    s3Terraform: s3.filter((r) => r.userAgent.includes('Terraform')).length,
    peakRssMiB: Math.max(...rss) / 1024,
    terraformMs,
    runId: (plan.outputs.run_id ?? '').split('@')[0] as string,
    iacBucket: buckets.iac,
  };
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

/** The run's rendered projects, written to fresh folders (what the raw baseline replays). */
async function renderedProjects(moto: MotoServer, run: Variant, n: number): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = 0; i < n; i++) {
    const stored = JSON.parse(
      await moto.getObjectText(run.iacBucket, `runs/${run.runId}/artifacts/iac/p${i}.json`),
    ) as { files: { path: string; base64: string }[] };
    const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
    for (const f of stored.files) writeFileSync(join(dir, f.path), Buffer.from(f.base64, 'base64'));
    writeFileSync(join(dir, 'backend.tf'), 'terraform {\n  backend "s3" {}\n}\n');
    dirs.push(dir);
  }
  return dirs;
}

/**
 * The physical limit: raw `init` + `apply` of the projects, one after another (`reviewed`: `init`
 * + `plan -out` + `apply <plan>`, the least a plan-then-apply flow runs). Through the same kind of
 * proxy as the actions, so both pay the same path to S3.
 */
async function rawBaseline(
  endpoint: string,
  env: Record<string, string>,
  dirs: readonly string[],
  label: string,
  reviewed: boolean,
): Promise<number> {
  let raw = 0;
  for (const [i, dir] of dirs.entries()) {
    const t0 = Date.now();
    const key = `raw/${label}/${reviewed ? 'reviewed' : 'apply'}/p${i}.tfstate`;
    const steps = [
      [
        'init',
        '-input=false',
        '-no-color',
        '-reconfigure',
        ...s3BackendConfig(endpoint, 'bench-tf', key),
      ],
      ...(reviewed
        ? [
            ['plan', '-input=false', '-no-color', '-out=raw.tfplan'],
            ['apply', '-input=false', '-no-color', 'raw.tfplan'],
          ]
        : [['apply', '-auto-approve', '-input=false', '-no-color']]),
    ];
    for (const args of steps) {
      const result = await terraform(args, dir, env);
      if (result.code !== 0) throw new Error(`raw terraform ${args[0]} failed: ${result.stderr}`);
    }
    raw += Date.now() - t0;
  }
  return raw;
}

/** Median wall time of starting each bundle on inputs it rejects at once (load + parse + exit). */
function coldStarts(): Record<string, number> {
  const result: Record<string, number> = {};
  // cancel-run writes its run data file to RUNNER_TEMP (else the current folder).
  const runnerTemp = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  for (const action of ['orchestrate-and-plan', 'runtime-tasks', 'cancel-run']) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, [resolve('dist', action, 'index.js')], {
        env: {
          PATH: process.env.PATH ?? '',
          INPUT_RUN_ID: '',
          RUNNER_TEMP: runnerTemp,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: 'ignore',
      });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    result[action] = times.sort((a, b) => a - b)[2] as number;
  }
  return result;
}

interface Row {
  shape: Shape;
  n: number;
  rawMs: number;
  /** Raw `init` + `plan -out` + `apply <plan>`. */
  rawReviewedMs: number;
  variants: Variant[];
}

function markdown(rows: Row[], cold: Record<string, number>, when: string): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const head = [
    `### Deployment benchmark (${when})`,
    '',
    'Total = orchestrate-and-plan (plans included) + runtime-tasks of a first deployment; "p2"/"p4": TASK_PARALLELISM on both. Raw = `terraform init` + `apply` of the same rendered projects, one after another; raw+plan = `init` + `plan -out` + `apply <plan>`. S3 requests per plugin: ours (records, artifacts, plans) / Terraform\'s (state, lock). Terraform: the share of the sequential total spent in Terraform processes. Memory: the larger peak RSS of the two actions.',
    '',
    `| shape | N | sequential | p2 | p4 | raw | raw+plan | seq / raw | seq / raw+plan | p4 / seq | Terraform | S3 req/plugin (ours / Terraform) | peak memory |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const body = rows.map((r) => {
    const at = (p: number) => r.variants.find((v) => v.parallelism === p);
    const seq = at(1);
    const p2 = at(2);
    const p4 = at(4);
    const ratio = (a?: Variant, b?: number) => (a && b ? (a.totalMs / b).toFixed(2) : '—');
    const inTerraform = seq
      ? `${Math.round((100 * Object.values(seq.terraformMs).reduce((sum, t) => sum + t.ms, 0)) / seq.totalMs)} %`
      : '—';
    return `| ${r.shape} | ${r.n} | ${seq ? s(seq.totalMs) : '—'} | ${p2 ? s(p2.totalMs) : '—'} | ${p4 ? s(p4.totalMs) : '—'} | ${s(r.rawMs)} | ${s(r.rawReviewedMs)} | ${ratio(seq, r.rawMs)} | ${ratio(seq, r.rawReviewedMs)} | ${ratio(p4, seq?.totalMs)} | ${inTerraform} | ${seq ? `${(seq.s3Ours / r.n).toFixed(1)} / ${(seq.s3Terraform / r.n).toFixed(1)}` : '—'} | ${Math.max(...r.variants.map((v) => v.peakRssMiB)).toFixed(0)} MiB |`;
  });
  const coldLine = `Cold start (median of 5, load and refuse empty inputs): ${Object.entries(cold)
    .map(([a, ms]) => `${a} ${ms.toFixed(0)} ms`)
    .join(', ')}.`;
  return [...head, ...body, '', coldLine, ''].join('\n');
}

/**
 * One variant, or the raw baseline, on a fresh moto_server (and proxy): the server slows down as
 * it fills, so variants sharing one would be measured in their order, not on their merits.
 */
async function isolated<T>(fn: (moto: MotoServer, proxy: S3Proxy) => Promise<T>): Promise<T> {
  const moto = await startMoto();
  const proxy = await startS3Proxy(moto.endpoint);
  try {
    await moto.createBucket('bench-tf');
    return await fn(moto, proxy);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const shape of shapes) {
      const variants: Variant[] = [];
      let projects: string[] = [];
      for (const [i, p] of parallels.entries()) {
        variants.push(
          await isolated(async (moto, proxy) => {
            const variant = await deploy(moto, proxy, shape, n, p);
            if (i === 0) projects = await renderedProjects(moto, variant, n);
            return variant;
          }),
        );
      }
      const rawMs = await isolated((moto, proxy) =>
        rawBaseline(proxy.endpoint, moto.env, projects, `${shape}-${n}`, false),
      );
      const rawReviewedMs = await isolated((moto, proxy) =>
        rawBaseline(proxy.endpoint, moto.env, projects, `${shape}-${n}`, true),
      );
      rows.push({ shape, n, rawMs, rawReviewedMs, variants });
      const seq = variants[0] as Variant;
      console.error(
        `${shape} N=${n}: ${variants.map((v) => `p${v.parallelism} ${(v.totalMs / 1000).toFixed(1)} s`).join(', ')}; raw ${(rawMs / 1000).toFixed(1)} s; raw with plan ${(rawReviewedMs / 1000).toFixed(1)} s; seq/raw ${(seq.totalMs / rawMs).toFixed(2)}; sequential terraform: ${Object.entries(
          seq.terraformMs,
        )
          .map(([c, t]) => `${c} ${t.count}x ${(t.ms / 1000).toFixed(1)} s`)
          .join(', ')}`,
      );
    }
  }
  const cold = coldStarts();
  const when = new Date().toISOString();
  mkdirSync(outDir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  writeFileSync(
    join(outDir, `deploy-${stamp}.json`),
    `${JSON.stringify({ when, rows, coldStartMs: cold }, null, 2)}\n`,
  );
  const md = markdown(rows, cold, when);
  writeFileSync(join(outDir, `deploy-${stamp}.md`), md);
  console.log(md);
}

void main();
