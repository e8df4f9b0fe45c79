/**
 * The three jobs of a user's workflow against one moto_server, for tests that break things in
 * between: orchestrate-and-plan, runtime-tasks (and its post step), cancel-run, plus what a test
 * checks afterwards (run records, locks, state serials, leftover Terraform locks).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createS3Client, MemoryLogger, RunStore, S3ObjectStore } from '@deploy-engine/core';
import { REPO_ROOT } from './action-metadata';
import type { E2eFixture } from './e2e-fixture';
import { TEST_CREDENTIALS, type MotoServer } from './moto';
import { runAction, type ActionResult, type RunActionOptions } from './runner';

export interface RunRecordView {
  runId: string;
  status: string;
  tasks: {
    taskType: string;
    pluginAppliedAlias: string;
    status: string;
    startedAt?: string;
    finishedAt?: string;
  }[];
}

/** The steps of a user's workflow on an e2e fixture (see e2e-fixture.ts, which builds it). */
export class DeployFlow {
  constructor(private readonly fixture: E2eFixture) {}

  /** This file's moto_server. */
  get moto(): MotoServer {
    return this.fixture.moto;
  }

  /** The repository checkout the steps run in. */
  get checkout(): string {
    return this.fixture.checkout;
  }

  get tfstateBucket(): string {
    return this.fixture.tfstateBucket;
  }

  get iacBucket(): string {
    return this.fixture.iacBucket;
  }

  /** Writes `<checkout>/<workdir>/.stk/stk.yaml` of an app with these plugins (YAML list items). */
  writeApp(workdir: string, appId: string, plugins: string): void {
    mkdirSync(join(this.checkout, workdir, '.stk'), { recursive: true });
    writeFileSync(
      join(this.checkout, workdir, '.stk', 'stk.yaml'),
      `schema-version: v3
kind: manifest
metadata: { name: ${workdir} }
spec:
  type: app
  app-id: ${appId}
  plugins:
${plugins}`,
    );
  }

  /** The engine's run store on the IaC bucket, for tests that write records behind the steps. */
  runStore(): RunStore {
    const client = createS3Client({
      region: 'us-east-1',
      credentials: { mode: 'keys', ...TEST_CREDENTIALS },
      env: { AWS_ENDPOINT_URL_S3: this.moto.endpoint },
    });
    return new RunStore(new S3ObjectStore(client, this.iacBucket), new MemoryLogger());
  }

  /** Wipes moto and creates the fixture's buckets again. */
  resetBuckets(): Promise<void> {
    return this.fixture.resetBuckets();
  }

  /** The CLI on this flow's IaC bucket and the `shop` workspace the steps deploy to. */
  cli(args: string[], stdin?: string): Promise<{ code: number; output: string }> {
    return runCli(
      [...args, '--bucket', this.iacBucket, '--workspace', 'shop'],
      this.stepEnv(),
      stdin,
    );
  }

  /** The environment the steps (and the CLI) run with. */
  stepEnv(extra: Record<string, string> = {}): Record<string, string> {
    return this.fixture.stepEnv(extra);
  }

  orchestrate(
    workdir: string,
    withInputs: Record<string, string> = {},
    options: Omit<RunActionOptions, 'with' | 'workspace'> = {},
  ): Promise<ActionResult> {
    return runAction('orchestrate-and-plan', {
      ...options,
      workspace: this.checkout,
      env: this.stepEnv(options.env),
      with: {
        TFSTATE_BUCKET_NAME: this.tfstateBucket,
        IAC_BUCKET_NAME: this.iacBucket,
        WORKSPACE: 'shop',
        ENVIRONMENT: 'dev',
        VERSION: 'v1',
        WORKDIR: workdir,
        PLUGINS_PATH: 'plugins',
        LOCAL_EXEC_ENABLED: 'true',
        ...withInputs,
      },
    });
  }

  apply(
    plan: ActionResult,
    options: Omit<RunActionOptions, 'with' | 'workspace'> & { with?: Record<string, string> } = {},
  ): Promise<ActionResult> {
    return runAction('runtime-tasks', {
      ...options,
      workspace: this.checkout,
      env: this.stepEnv(options.env),
      with: {
        RUN_ID: plan.outputs.run_id ?? '',
        TASK_LIST: plan.outputs.apply_tasks ?? '',
        LOCALEXEC_ENABLED: 'true',
        ...options.with,
      },
    });
  }

  /** orchestrate-and-plan's post step after `main`, with the inputs and the state it had. */
  postOrchestrate(workdir: string, main: ActionResult): Promise<ActionResult> {
    return this.orchestrate(workdir, {}, { script: 'post', state: main.state });
  }

  /** runtime-tasks' post step after `main`, with the inputs and the state it had. */
  postApply(plan: ActionResult, main: ActionResult): Promise<ActionResult> {
    return this.apply(plan, { script: 'post', state: main.state });
  }

  cancel(
    runId: string,
    options: Omit<RunActionOptions, 'with'> & { with?: Record<string, string> } = {},
  ): Promise<ActionResult> {
    return runAction('cancel-run', {
      ...options,
      env: this.stepEnv(options.env),
      with: { RUN_ID: runId, ...options.with },
    });
  }

  /**
   * The documented recovery from a Terraform state lock a killed Terraform left behind: the next
   * orchestrate fails naming it and printing the unlock-state command; run that command. Returns
   * what went wrong, [] when it all worked.
   */
  async releaseLeftoverLock(
    workdir: string,
    withInputs: Record<string, string>,
  ): Promise<string[]> {
    const blocked = await this.orchestrate(workdir, withInputs);
    const message = blocked.annotations.map((a) => a.message).join('\n');
    const command = /deploy-engine (unlock-state \S+ --state \S+ --lock-id \S+)/.exec(message);
    if (blocked.exitCode !== 1 || !message.includes('could not lock the state') || !command)
      return [`the next run did not report the lock with its unlock command:\n${blocked.log}`];
    const unlocked = await runCli((command[1] ?? '').split(' '), this.stepEnv());
    if (unlocked.code !== 0 || !unlocked.output.includes('Released lock'))
      return [`unlock-state failed: ${unlocked.output}`];
    const left = await this.terraformLocks();
    return left.length > 0 ? [`locks still there: ${left.join(', ')}`] : [];
  }

  /**
   * Every run in the IaC bucket, as the engine reads it: its record with the tasks' current
   * states (task objects) over the record's while it is RUNNING.
   */
  async runs(): Promise<RunRecordView[]> {
    const keys = (await this.moto.listKeys(this.iacBucket, 'runs/')).filter((k) =>
      k.endsWith('/record.json'),
    );
    const runs = this.runStore();
    const read = await Promise.all(keys.map((k) => runs.getRun(k.split('/')[1] as string)));
    return read.filter((r) => r !== undefined) as unknown as RunRecordView[];
  }

  async lockKeys(): Promise<string[]> {
    return this.moto.listKeys(this.iacBucket, 'locks/');
  }

  /** Terraform lock files left in the tfstate bucket. */
  async terraformLocks(): Promise<string[]> {
    return (await this.moto.listKeys(this.tfstateBucket)).filter((k) => k.endsWith('.tflock'));
  }

  /** The serial of every state in the tfstate bucket, by key. */
  async stateSerials(): Promise<Record<string, number>> {
    const serials: Record<string, number> = {};
    for (const key of await this.moto.listKeys(this.tfstateBucket)) {
      if (!key.endsWith('.tfstate')) continue;
      serials[key] = (
        JSON.parse(await this.moto.getObjectText(this.tfstateBucket, key)) as { serial: number }
      ).serial;
    }
    return serials;
  }
}

/** Fails unless no serial of `before` went back (or disappeared) in `after`. */
export function serialsWentBack(
  before: Record<string, number>,
  after: Record<string, number>,
): string[] {
  return Object.entries(before)
    .filter(([key, serial]) => (after[key] ?? -1) < serial)
    .map(([key, serial]) => `${key}: ${serial} -> ${after[key] ?? 'gone'}`);
}

/** The RUN_ID's ulid part. */
export function runIdOf(runRef: string): string {
  return runRef.split('@')[0] ?? '';
}

/**
 * Pids of Terraform processes running `command` in a folder of this run (RUNNER_TEMP/.../<runId>/...)
 * whose path also holds `alias`.
 */
export function terraformProcesses(runId: string, command: string, alias = ''): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('terraform') || argv[1] !== command) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd.includes(runId) && cwd.includes(alias)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Waits until `find` returns something (or fails after `timeoutMs`). */
export async function waitFor<T>(
  find: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * Runs the project's CLI as a person would (the shipped bundle, dist/cli/index.js, under node),
 * against the same S3 as the steps. Asynchronous: the fault proxy it may talk to lives in this
 * process.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'index.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, output });
    }),
  );
}
