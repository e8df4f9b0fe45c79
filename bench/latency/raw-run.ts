/**
 * The raw Terraform baseline: `terraform init` + `plan -out` + `apply <plan>` of the very projects
 * a deployment rendered (read back from the run's artifacts), one after another, through the same
 * kind of proxy (same latency) and the same provider mirror. The delay is in the projects, so the
 * provider waits as long as under the engine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MotoServer } from '../../test/harness/moto';
import type { ProviderMirror } from '../../test/harness/provider-mirror';
import { s3BackendConfig, terraform } from '../../test/harness/terraform';

/** The run's rendered projects, written to fresh folders (the first `limit` of them). */
export async function renderedProjects(
  moto: MotoServer,
  iacBucket: string,
  runId: string,
  n: number,
): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = 0; i < n; i++) {
    const stored = JSON.parse(
      await moto.getObjectText(iacBucket, `runs/${runId}/artifacts/iac/p${i}.json`),
    ) as { files: { path: string; base64: string }[] };
    const dir = mkdtempSync(join(tmpdir(), 'bench-lat-raw-'));
    for (const f of stored.files) writeFileSync(join(dir, f.path), Buffer.from(f.base64, 'base64'));
    writeFileSync(join(dir, 'backend.tf'), 'terraform {\n  backend "s3" {}\n}\n');
    dirs.push(dir);
  }
  return dirs;
}

export interface RawRun {
  /** Projects run (the first `measured` of `total`). */
  measured: number;
  total: number;
  /** Wall time of the measured ones. */
  ms: number;
  /** Per plugin, mean of the measured ones. */
  perPluginMs: number;
  /** Terraform's S3 requests per plugin. */
  s3PerPlugin: number;
}

export async function rawBaseline(
  endpoint: string,
  seen: () => number,
  env: Record<string, string>,
  network: ProviderMirror,
  dirs: readonly string[],
  limit: number,
): Promise<RawRun> {
  const measured = dirs.slice(0, Math.min(limit, dirs.length));
  const before = seen();
  const t0 = Date.now();
  for (const [i, dir] of measured.entries()) {
    const steps = [
      [
        'init',
        '-input=false',
        '-no-color',
        ...s3BackendConfig(endpoint, 'bench-tf', `raw/p${i}.tfstate`),
      ],
      ['plan', '-input=false', '-no-color', '-out=raw.tfplan'],
      ['apply', '-input=false', '-no-color', 'raw.tfplan'],
    ];
    for (const args of steps) {
      const result = await terraform(args, dir, { ...env, ...network.env }, 600_000);
      if (result.code !== 0) throw new Error(`raw terraform ${args[0]} failed: ${result.stderr}`);
    }
  }
  const ms = Date.now() - t0;
  return {
    measured: measured.length,
    total: dirs.length,
    ms,
    perPluginMs: ms / measured.length,
    s3PerPlugin: (seen() - before) / measured.length,
  };
}
