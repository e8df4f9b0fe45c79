/**
 * Provider installation, side by side in one run: `terraform init` of N projects that use the same
 * real provider (test/provider, from a network mirror on 127.0.0.1 standing in for the registry,
 * its package padded to a realistic size), each with its state on moto_server:
 *   - none: each init on its own (what a plain loop of init does);
 *   - Terraform's plugin cache (TF_PLUGIN_CACHE_DIR), one init at a time (it has no lock);
 *   - job mirror: the engine's ProviderMirror, one init at a time, then 4 at once.
 * Reports the wall time of the N inits, the package downloads, and the time saved against none.
 *
 * Run: npx tsx bench/providers.bench.ts [--n 10] [--mb 0,100] [--out bench/results]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  MemoryLogger,
  openStateBackend,
  ProviderMirror,
  readRunnerCliConfig,
  stateKey,
  TerraformProject,
} from '../packages/core/src';
import { startMoto, type MotoServer } from '../test/harness/moto';
import {
  markerResource,
  startProviderMirror,
  type ProviderMirror as NetworkMirror,
} from '../test/harness/provider-mirror';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const n = Number(arg('n', '10'));
const sizesMb = arg('mb', '0,100').split(',').map(Number);
const outDir = resolve(arg('out', 'bench/results'));

interface Variant {
  name: string;
  ms: number;
  downloads: number;
}

function projects(label: string): string[] {
  return Array.from({ length: n }, (_, i) => {
    const dir = mkdtempSync(join(tmpdir(), `bench-providers-${label}-`));
    writeFileSync(join(dir, 'main.tf'), markerResource('v', `"${label}-${i}"`));
    return dir;
  });
}

async function variant(
  moto: MotoServer,
  network: NetworkMirror,
  name: string,
  options: { mirror?: boolean; terraformCache?: boolean; atOnce?: number },
): Promise<Variant> {
  const label = name.toLowerCase().replace(/\W+/g, '-');
  const base = mkdtempSync(join(tmpdir(), 'bench-providers-'));
  const runnerCliConfig = readRunnerCliConfig(network.env);
  // Terraform's own cache, through TF_PLUGIN_CACHE_DIR (the engine leaves a runner's
  // plugin_cache_dir out of the CLI configuration; this variant sets it on purpose).
  if (options.terraformCache) mkdirSync(join(base, 'cache'));
  const mirror = options.mirror
    ? new ProviderMirror(join(base, 'mirror'), new MemoryLogger())
    : undefined;
  const all = projects(label).map(
    (dir) =>
      new TerraformProject({
        binary: 'terraform',
        dir,
        env: {
          ...moto.env,
          SSL_CERT_FILE: network.env.SSL_CERT_FILE as string,
          ...(options.terraformCache ? { TF_PLUGIN_CACHE_DIR: join(base, 'cache') } : {}),
        },
        logger: new MemoryLogger(),
        ...(runnerCliConfig ? { runnerCliConfig } : {}),
        ...(mirror ? { providerMirror: mirror } : {}),
      }),
  );
  const before = network.downloads();
  const states = openStateBackend(
    { kind: 's3', bucket: 'bench-tf', region: 'us-east-1' },
    { s3In: () => moto.s3, s3Endpoint: moto.endpoint },
  );
  const backend = (i: number) =>
    states.settings(
      stateKey({ workspace: 'b', environment: 'e', appKind: 'app', appId: label, alias: `p${i}` }),
    );
  const t0 = Date.now();
  const atOnce = options.atOnce ?? 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      while (next < all.length) {
        const i = next++;
        await (all[i] as TerraformProject).init(backend(i));
      }
    }),
  );
  return { name, ms: Date.now() - t0, downloads: network.downloads() - before };
}

async function main(): Promise<void> {
  const moto = await startMoto();
  await moto.createBucket('bench-tf');
  const rows: { mb: number; packageBytes: number; variants: Variant[] }[] = [];
  try {
    for (const mb of sizesMb) {
      const network = await startProviderMirror({ paddingBytes: mb * 1024 * 1024 });
      try {
        const variants = [
          await variant(moto, network, 'none', {}),
          await variant(moto, network, "Terraform's plugin cache", { terraformCache: true }),
          await variant(moto, network, 'job mirror', { mirror: true }),
          await variant(moto, network, 'job mirror, 4 inits at once', { mirror: true, atOnce: 4 }),
        ];
        rows.push({ mb, packageBytes: network.packageBytes, variants });
        console.error(
          `${mb} MB: ${variants.map((v) => `${v.name} ${(v.ms / 1000).toFixed(1)} s (${v.downloads} downloads)`).join(', ')}`,
        );
      } finally {
        await network.stop();
      }
    }
  } finally {
    await moto.stop();
  }
  const when = new Date().toISOString();
  const lines = [
    `### Provider installation (${when})`,
    '',
    `\`terraform init\` of ${n} projects using the same provider, from a network mirror on 127.0.0.1; state on moto_server. Saved: against "none".`,
    '',
    '| package | variant | wall time | per init | downloads | saved |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.flatMap((row) => {
      const none = row.variants[0] as Variant;
      return row.variants.map(
        (v) =>
          `| ${(row.packageBytes / 1024 / 1024).toFixed(1)} MB | ${v.name} | ${(v.ms / 1000).toFixed(1)} s | ${Math.round(v.ms / n)} ms | ${v.downloads} | ${v === none ? '—' : `${(((none.ms - v.ms) / none.ms) * 100).toFixed(0)} % (${((none.ms - v.ms) / 1000).toFixed(1)} s)`} |`,
      );
    }),
    '',
  ];
  mkdirSync(outDir, { recursive: true });
  const stamp = when.replace(/[:.]/g, '-');
  writeFileSync(
    join(outDir, `providers-${stamp}.json`),
    `${JSON.stringify({ when, n, rows }, null, 2)}\n`,
  );
  writeFileSync(join(outDir, `providers-${stamp}.md`), lines.join('\n'));
  console.log(lines.join('\n'));
}

void main();
