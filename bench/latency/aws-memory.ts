/**
 * The per-process cost of a real provider: projects with the hashicorp/aws provider shipped on the
 * machine image (a filesystem mirror, TF_PROVIDER_MIRROR or found under /opt, /usr, /root) creating
 * an S3 bucket, an SQS queue and an SNS topic in moto_server (no added latency), `c` at once:
 * `init` + `plan -out` + `apply <plan>` in each. Measured from /proc: the peak resident memory of
 * each Terraform process with its provider, the peak of all of them at one moment, CPU seconds,
 * and the wall time; from these, how many fit at once in this machine's memory.
 */
import { spawn } from 'node:child_process';
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MotoServer } from '../../test/harness/moto';
import { s3BackendConfig } from '../../test/harness/terraform';
import { sampleTrees } from './proc-tree';

export interface AwsLevel {
  atOnce: number;
  wallMs: number;
  /** Peak RSS of one command's tree (terraform + its providers at one moment), max and median. */
  commandPeakMiB: { max: number; median: number };
  /** Of which the provider process alone (max). */
  providerPeakMiB: number;
  /** The sum over every tree at one moment (what c at once need). */
  peakTotalMiB: number;
  /** CPU seconds per project (init + plan + apply, Terraform and provider). */
  cpuSecondsPerProject: number;
}

function findMirror(): string {
  if (process.env.TF_PROVIDER_MIRROR) return process.env.TF_PROVIDER_MIRROR;
  const found = execSync(
    "find /opt /usr /root -maxdepth 6 -path '*registry.terraform.io/hashicorp/aws' 2>/dev/null || true",
  )
    .toString()
    .trim()
    .split('\n')[0];
  if (!found)
    throw new Error(
      'The hashicorp/aws provider mirror was not found: set TF_PROVIDER_MIRROR to the folder holding registry.terraform.io/.',
    );
  return found.replace(/\/registry\.terraform\.io\/hashicorp\/aws$/, '');
}

function project(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-aws-'));
  writeFileSync(
    join(dir, 'main.tf'),
    `terraform {
  backend "s3" {}
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}
resource "aws_s3_bucket" "b" { bucket = "${label}" }
resource "aws_sqs_queue" "q" { name = "${label}" }
resource "aws_sns_topic" "t" { name = "${label}" }
`,
  );
  return dir;
}

function run(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onPid: (pid: number) => void,
): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid) onPid(child.pid);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`terraform ${args[0]} failed: ${stderr}`)),
    );
  });
}

export async function awsLevels(
  moto: MotoServer,
  levels: readonly number[],
): Promise<{
  mirror: string;
  memTotalMiB: number;
  warmupMs: number;
  levels: AwsLevel[];
}> {
  const mirror = findMirror();
  const rc = join(mkdtempSync(join(tmpdir(), 'bench-aws-rc-')), 'terraformrc');
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    TF_CLI_CONFIG_FILE: rc,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    ...moto.env,
    AWS_ENDPOINT_URL: moto.endpoint,
  };
  let serial = 0;
  const deploy = async (onPid: (pid: number) => void) => {
    const label = `mem-${serial++}`;
    const dir = project(label);
    await run(
      [
        'init',
        '-input=false',
        '-no-color',
        ...s3BackendConfig(moto.endpoint, 'bench-tf', `${label}.tfstate`),
      ],
      dir,
      env,
      onPid,
    );
    await run(['plan', '-input=false', '-no-color', '-out=p.tfplan'], dir, env, onPid);
    await run(['apply', '-input=false', '-no-color', 'p.tfplan'], dir, env, onPid);
  };
  // The first load of ~700 MB from disk is not what a warm runner pays again: once, unmeasured.
  const w0 = Date.now();
  await deploy(() => undefined);
  const warmupMs = Date.now() - w0;
  const memTotalMiB =
    Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
  const results: AwsLevel[] = [];
  for (const atOnce of levels) {
    const sampler = sampleTrees(100);
    const roots: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: atOnce }, () =>
        deploy((pid) => {
          roots.push(pid);
          sampler.watch(pid);
        }),
      ),
    );
    const wallMs = Date.now() - t0;
    const { processes, peakTotalKiB, treePeakKiB } = sampler.stop();
    const perRoot = roots.map((root) => treePeakKiB.get(root) ?? 0);
    const sorted = [...perRoot].sort((a, b) => a - b);
    const providers = processes.filter((p) => p.name.startsWith('terraform-prov'));
    results.push({
      atOnce,
      wallMs,
      commandPeakMiB: {
        max: Math.max(...perRoot) / 1024,
        median: (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1024,
      },
      providerPeakMiB: Math.max(0, ...providers.map((p) => p.peakKiB)) / 1024,
      peakTotalMiB: peakTotalKiB / 1024,
      cpuSecondsPerProject: processes.reduce((sum, p) => sum + p.cpuSeconds, 0) / atOnce,
    });
    console.error(
      `aws ${atOnce} at once: ${(wallMs / 1000).toFixed(1)} s, peak per command ${(Math.max(...perRoot) / 1024).toFixed(0)} MiB, all at once ${(peakTotalKiB / 1024).toFixed(0)} MiB`,
    );
  }
  return { mirror, memTotalMiB, warmupMs, levels: results };
}
