/**
 * The engine's own overhead, with no added latency: five small plugins in a chain (p0 <- p1 <- ...
 * <- p4, each a `terraform_data` that reads its producer's output), deployed sequentially for the
 * first time through the built bundles (orchestrate-and-plan plans p0, the only plugin whose inputs
 * are known before anything is applied; runtime-tasks applies p0's saved plan and plans and applies
 * p1..p4: plans in both jobs), against the raw loop `terraform init` + `plan -out` + `apply <plan>`
 * of the very same rendered projects. moto_server behind the counting proxy on 127.0.0.1, no added
 * latency. Ours and raw alternate, each on a fresh moto_server (not timed), several repetitions:
 * median and min of each, and the ratio of the medians.
 *
 * The breakdown splits our time into: node's start until the action's first line (process start,
 * bundle load, input parsing), time inside Terraform processes per command (from the actions'
 * `terraform <command> in <project>: exit <code> after <ms> ms` debug lines), and the rest (render,
 * guards, S3, records), per action; from a `--require`d hook (bench/timeline.cjs) that stamps each
 * line the action writes. `--gaps <k>` also prints, for the median repetition, the k longest
 * stretches between two lines of an action's log outside Terraform (where to look next).
 *
 * `--trace <file>` writes the first repetition's timeline: both actions' lines and every S3 request,
 * stamped in ms since orchestrate-and-plan was started.
 * BENCH_NODE_OPTIONS adds to the actions' NODE_OPTIONS (a `--require`d profiler hook, say).
 *
 * Run: npm run build && npx tsx bench/overhead.bench.ts [--n 5] [--reps 5] [--gaps 0] [--trace file]
 *        [--out bench/results]
 * Writes <out>/overhead-<timestamp>.json and .md, and prints the markdown.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMoto, type MotoServer } from '../test/harness/moto';
import { generateApp, terraformDataResource } from './latency/shapes';
import { runAction } from '../test/harness/runner';
import { startS3Proxy, type S3Proxy } from '../test/harness/s3-proxy';
import { s3BackendConfig, terraform } from '../test/harness/terraform';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const n = Number(arg('n', '5'));
const reps = Number(arg('reps', '5'));
const gaps = Number(arg('gaps', '0'));
const outDir = resolve(arg('out', 'bench/results'));
const trace = process.argv.includes('--trace') ? resolve(arg('trace', 'overhead-trace.txt')) : '';
const TIMELINE_HOOK = resolve(__dirname, 'timeline.cjs');
const APP_ID = 'OVERHEAD';

interface ActionTimes {
  /** Spawn to exit, measured here. */
  totalMs: number;
  /** Spawn until the action's first line: node's start, the bundle's load, input parsing. */
  startMs: number;
  /** Inside Terraform processes, per command (from the debug lines). */
  terraform: Record<string, { count: number; ms: number }>;
  /** The longest stretches between two lines outside Terraform: [ms, the line before, after]. */
  gaps: [number, string, string][];
  /** CPU time of the action's process (all its threads, not Terraform's), ms. */
  cpuMs: number;
}

interface OursRun {
  totalMs: number;
  plan: ActionTimes;
  apply: ActionTimes;
  s3Ours: number;
  s3Terraform: number;
  runId: string;
  /** The folder of the actions' timelines (plan.txt, apply.txt), to look inside one run. */
  timeline: string;
}

/** Reads an action's timeline (bench/timeline.cjs) back into its phases. */
function actionTimes(file: string, spawnedAt: number, exitedAt: number): ActionTimes {
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const space = l.indexOf(' ');
      return { at: Number(l.slice(0, space)), text: l.slice(space + 1) };
    });
  const first = lines.find((l) => !/^(start |worker )/.test(l.text)) ?? lines[0];
  const terraformTimes: ActionTimes['terraform'] = {};
  // Intervals spent inside Terraform: [start, end], end being the debug line's stamp.
  const inside: [number, number][] = [];
  for (const l of lines) {
    const m = /::debug::terraform (.+?) in \S+: exit \S+ after (\d+) ms/.exec(l.text);
    if (!m) continue;
    const entry = (terraformTimes[m[1] as string] ??= { count: 0, ms: 0 });
    entry.count += 1;
    entry.ms += Number(m[2]);
    inside.push([l.at - Number(m[2]), l.at]);
  }
  const outside = (from: number, to: number) =>
    inside.reduce(
      (left, [s, e]) => left - Math.max(0, Math.min(to, e) - Math.max(from, s)),
      to - from,
    );
  const stretches: [number, string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const a = lines[i - 1] as { at: number; text: string };
    const b = lines[i] as { at: number; text: string };
    stretches.push([outside(a.at, b.at), a.text.slice(0, 140), b.text.slice(0, 140)]);
  }
  stretches.sort((x, y) => y[0] - x[0]);
  const exit = lines.find((l) => l.text.startsWith('exit cpu='));
  return {
    cpuMs: Number(exit?.text.slice('exit cpu='.length) ?? 0),
    totalMs: exitedAt - spawnedAt,
    startMs: (first?.at ?? spawnedAt) - spawnedAt,
    terraform: terraformTimes,
    gaps: stretches.slice(0, gaps),
  };
}

const sumTerraform = (t: ActionTimes) =>
  Object.values(t.terraform).reduce((sum, c) => sum + c.ms, 0);

async function ours(
  checkout: string,
  moto: MotoServer,
  proxy: S3Proxy,
  rep: number,
): Promise<OursRun> {
  await moto.createBucket('bench-tf');
  await moto.createBucket('bench-iac');
  const timeline = mkdtempSync(join(tmpdir(), 'bench-timeline-'));
  const env = (action: string) => ({
    ...moto.env,
    AWS_ENDPOINT_URL_S3: proxy.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: `--require ${TIMELINE_HOOK} ${process.env.BENCH_NODE_OPTIONS ?? ''}`,
    ...(process.env.PROF_DIR ? { PROF_DIR: process.env.PROF_DIR } : {}),
    DEPLOY_ENGINE_BENCH_TIMELINE_FILE: join(timeline, `${action}.txt`),
  });
  proxy.clear();
  // Stamps each S3 request with its arrival, for --trace.
  const arrivals: number[] = [];
  const push = proxy.seen.push.bind(proxy.seen);
  proxy.seen.push = (...items) => {
    arrivals.push(...items.map(() => Date.now()));
    return push(...items);
  };
  const t0 = Date.now();
  const plan = await runAction('orchestrate-and-plan', {
    workspace: checkout,
    env: env('plan'),
    github: { run_id: String(5000 + rep) },
    with: {
      TFSTATE_BUCKET_NAME: 'bench-tf',
      IAC_BUCKET_NAME: 'bench-iac',
      WORKSPACE: 'bench',
      ENVIRONMENT: 'dev',
      VERSION: `v${rep}`,
      WORKDIR: 'app',
      PLUGINS_PATH: 'plugins',
    },
  });
  const t1 = Date.now();
  const apply = await runAction('runtime-tasks', {
    workspace: checkout,
    env: env('apply'),
    github: { run_id: String(5000 + rep) },
    with: { RUN_ID: plan.outputs.run_id ?? '', TASK_LIST: plan.outputs.apply_tasks ?? '' },
  });
  const t2 = Date.now();
  if (plan.exitCode !== 0 || apply.exitCode !== 0)
    throw new Error(`deploy failed:\n${plan.log}\n${plan.stderr}\n${apply.log}\n${apply.stderr}`);
  const s3 = proxy.seen.filter((r) => r.service === 's3');
  if (trace && rep === 0) {
    const events = [
      ...proxy.seen.map((r, i) => ({
        at: arrivals[i] as number,
        text: `    ${r.userAgent.includes('Terraform') ? 'S3 (Terraform)' : 'S3'} ${r.method} ${r.path}`,
      })),
      ...['plan', 'apply'].flatMap((a) =>
        readFileSync(join(timeline, `${a}.txt`), 'utf8')
          .trim()
          .split('\n')
          .map((l) => ({
            at: Number(l.slice(0, l.indexOf(' '))),
            text: l.slice(l.indexOf(' ') + 1),
          })),
      ),
    ].sort((a, b) => a.at - b.at);
    writeFileSync(
      trace,
      events.map((e) => `${String(e.at - t0).padStart(6)} ${e.text.slice(0, 200)}`).join('\n'),
    );
  }
  return {
    totalMs: t2 - t0,
    plan: actionTimes(join(timeline, 'plan.txt'), t0, t1),
    apply: actionTimes(join(timeline, 'apply.txt'), t1, t2),
    s3Ours: s3.filter((r) => !r.userAgent.includes('Terraform')).length,
    s3Terraform: s3.filter((r) => r.userAgent.includes('Terraform')).length,
    runId: (plan.outputs.run_id ?? '').split('@')[0] as string,
    timeline,
  };
}

/** The run's rendered projects, written to fresh folders (what the raw loop replays). */
async function renderedProjects(moto: MotoServer, runId: string): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = 0; i < n; i++) {
    const stored = JSON.parse(
      await moto.getObjectText('bench-iac', `runs/${runId}/artifacts/iac/p${i}.json`),
    ) as { files: { path: string; base64: string }[] };
    const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
    for (const f of stored.files) writeFileSync(join(dir, f.path), Buffer.from(f.base64, 'base64'));
    writeFileSync(join(dir, 'backend.tf'), 'terraform {\n  backend "s3" {}\n}\n');
    dirs.push(dir);
  }
  return dirs;
}

/** Raw `init` + `plan -out` + `apply <plan>` of each project, one after another. */
async function raw(
  moto: MotoServer,
  proxy: S3Proxy,
  dirs: readonly string[],
  rep: number,
): Promise<{ totalMs: number; terraform: Record<string, number> }> {
  await moto.createBucket('bench-tf');
  const byCommand: Record<string, number> = {};
  const t0 = Date.now();
  for (const [i, dir] of dirs.entries()) {
    const steps = [
      [
        'init',
        '-input=false',
        '-no-color',
        '-reconfigure',
        ...s3BackendConfig(proxy.endpoint, 'bench-tf', `raw/${rep}/p${i}.tfstate`),
      ],
      ['plan', '-input=false', '-no-color', '-out=raw.tfplan'],
      ['apply', '-input=false', '-no-color', 'raw.tfplan'],
    ];
    for (const args of steps) {
      const s = Date.now();
      const result = await terraform(args, dir, moto.env);
      byCommand[args[0] as string] = (byCommand[args[0] as string] ?? 0) + Date.now() - s;
      if (result.code !== 0) throw new Error(`raw terraform ${args[0]} failed: ${result.stderr}`);
    }
  }
  return { totalMs: Date.now() - t0, terraform: byCommand };
}

async function isolated<T>(fn: (moto: MotoServer, proxy: S3Proxy) => Promise<T>): Promise<T> {
  const moto = await startMoto();
  const proxy = await startS3Proxy(moto.endpoint);
  try {
    return await fn(moto, proxy);
  } finally {
    await proxy.stop();
    await moto.stop();
  }
}

/** Median wall time of `node -e 0` (the floor of any action's start). */
async function nodeStart(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await new Promise((done) => spawn(process.execPath, ['-e', '0']).on('close', done));
    times.push(Date.now() - t0);
  }
  return median(times);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  // A chain of n plugins: p0 has no input, p(i) requires p(i-1)'s Connection Interface.
  const checkout = generateApp(n, 'chain', APP_ID, terraformDataResource);
  const oursRuns: OursRun[] = [];
  const rawRuns: { totalMs: number; terraform: Record<string, number> }[] = [];
  let projects: string[] = [];
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which goes first, so a slow spell of the machine hits both alike.
    const runOurs = async () => {
      const run = await isolated(async (moto, proxy) => {
        const r = await ours(checkout, moto, proxy, rep);
        if (projects.length === 0) projects = await renderedProjects(moto, r.runId);
        return r;
      });
      oursRuns.push(run);
    };
    const runRaw = async () => {
      rawRuns.push(await isolated((moto, proxy) => raw(moto, proxy, projects, rep)));
    };
    if (rep === 0 || rep % 2 === 0) {
      await runOurs();
      await runRaw();
    } else {
      await runRaw();
      await runOurs();
    }
    const o = oursRuns.at(-1) as OursRun;
    const r = rawRuns.at(-1) as { totalMs: number };
    console.error(
      `rep ${rep}: ours ${o.totalMs} ms (plan ${o.plan.totalMs}, apply ${o.apply.totalMs}; terraform ${sumTerraform(o.plan) + sumTerraform(o.apply)}), raw ${r.totalMs} ms, ratio ${(o.totalMs / r.totalMs).toFixed(2)}`,
    );
  }
  const node = await nodeStart();
  const when = new Date().toISOString();
  const oursMedian = median(oursRuns.map((r) => r.totalMs));
  const rawMedian = median(rawRuns.map((r) => r.totalMs));
  const medianRun = [...oursRuns].sort((a, b) => a.totalMs - b.totalMs)[
    Math.floor(oursRuns.length / 2)
  ] as OursRun;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const phase = (label: string, pick: (r: OursRun) => number) =>
    `| ${label} | ${s(median(oursRuns.map(pick)))} | ${s(Math.min(...oursRuns.map(pick)))} |`;
  const commands = [
    ...new Set(
      oursRuns.flatMap((r) => [
        ...Object.keys(r.plan.terraform),
        ...Object.keys(r.apply.terraform),
      ]),
    ),
  ].sort();
  const tfOf = (t: ActionTimes, c: string) => t.terraform[c]?.ms ?? 0;
  const countOf = (r: OursRun, c: string) =>
    (r.plan.terraform[c]?.count ?? 0) + (r.apply.terraform[c]?.count ?? 0);
  const rest = (t: ActionTimes) => t.totalMs - t.startMs - sumTerraform(t);
  const md = [
    `### Engine overhead (${when}, ${cpus().length} cores)`,
    '',
    `\`npx tsx bench/overhead.bench.ts --n ${n} --reps ${reps}\`: a chain of ${n} \`terraform_data\` plugins, sequential, first deployment (orchestrate-and-plan plans p0, runtime-tasks applies its plan and plans and applies the others), moto_server behind the counting proxy, no added latency; raw = \`init\` + \`plan -out\` + \`apply <plan>\` of the same rendered projects. ${reps} repetitions alternating ours and raw, each on a fresh moto_server.`,
    '',
    '| | median | min |',
    '| --- | --- | --- |',
    `| ours (both actions) | ${s(oursMedian)} | ${s(Math.min(...oursRuns.map((r) => r.totalMs)))} |`,
    `| raw Terraform | ${s(rawMedian)} | ${s(Math.min(...rawRuns.map((r) => r.totalMs)))} |`,
    `| **ours / raw** | **${(oursMedian / rawMedian).toFixed(2)}** | ${(Math.min(...oursRuns.map((r) => r.totalMs)) / Math.min(...rawRuns.map((r) => r.totalMs))).toFixed(2)} |`,
    '',
    `Where our time goes (median and min over the repetitions; \`node -e 0\` takes ${node} ms here):`,
    '',
    '| phase | median | min |',
    '| --- | --- | --- |',
    phase('orchestrate-and-plan: start (node, bundle load, inputs)', (r) => r.plan.startMs),
    ...commands.map((c) => phase(`orchestrate-and-plan: terraform ${c}`, (r) => tfOf(r.plan, c))),
    phase('orchestrate-and-plan: the rest (render, guards, S3, records)', (r) => rest(r.plan)),
    phase('runtime-tasks: start (node, bundle load, inputs)', (r) => r.apply.startMs),
    ...commands.map((c) => phase(`runtime-tasks: terraform ${c}`, (r) => tfOf(r.apply, c))),
    phase('runtime-tasks: the rest (render, guards, S3, records)', (r) => rest(r.apply)),
    phase('all Terraform processes (ours)', (r) => sumTerraform(r.plan) + sumTerraform(r.apply)),
    phase(
      'CPU time of our two processes (all threads; less sensitive to load)',
      (r) => r.plan.cpuMs + r.apply.cpuMs,
    ),
    `| raw Terraform: ${Object.keys(rawRuns[0]?.terraform ?? {}).join(' / ')} | ${Object.keys(
      rawRuns[0]?.terraform ?? {},
    )
      .map((c) => s(median(rawRuns.map((r) => r.terraform[c] ?? 0))))
      .join(' / ')} | |`,
    '',
    `Terraform processes per run (ours): ${commands.map((c) => `${c} ${countOf(medianRun, c)}`).join(', ')}; raw: ${n} each of init, plan, apply. S3 requests per run: ours ${medianRun.s3Ours}, Terraform's ${medianRun.s3Terraform}.`,
    '',
  ];
  if (gaps > 0) {
    for (const [label, t] of [
      ['orchestrate-and-plan', medianRun.plan],
      ['runtime-tasks', medianRun.apply],
    ] as const) {
      md.push(`Longest stretches outside Terraform, ${label} (median run):`, '');
      for (const [ms, before, after] of t.gaps) md.push(`- ${ms} ms: \`${before}\` → \`${after}\``);
      md.push('');
    }
  }
  const text = md.join('\n');
  mkdirSync(outDir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  writeFileSync(
    join(outDir, `overhead-${stamp}.json`),
    `${JSON.stringify({ when, n, reps, nodeStartMs: node, ours: oursRuns, raw: rawRuns }, null, 2)}\n`,
  );
  writeFileSync(join(outDir, `overhead-${stamp}.md`), text);
  console.log(text);
}

void main();
