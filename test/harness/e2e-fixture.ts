/**
 * The one setup of every end-to-end test file: a moto_server of its own on 127.0.0.1, the IaC and
 * tfstate buckets in it, a copy of a checkout in a temporary folder, and the environment the
 * built bundles (and the CLI) run with. One moto per file, started before its first test and
 * stopped after its last: files run in parallel workers and never share a server.
 *
 *   const flow = e2eFixture({ name: 'life' });
 *   it('...', async () => { const plan = await flow.orchestrate('diamond'); ... });
 *
 * The returned DeployFlow is usable from the file's own beforeAll on (hooks run in the order they
 * are declared, and this one is declared first).
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './action-metadata';
import { realAwsEnv } from './aws-provider';
import { DeployFlow } from './deploy-flow';
import { startMoto, type MotoServer } from './moto';

export type BucketRole = 'tfstate' | 'iac';

export interface E2eFixtureOptions {
  /** Names the buckets (`<name>-tfstate`, `<name>-iac`) and the checkout's temporary folder. */
  name: string;
  /**
   * The folder of this repository the checkout starts as (copied, so tests may change it):
   * `test/fixtures/e2e` unless said otherwise; `false` for an empty checkout.
   */
  checkout?: string | false;
  /** The buckets created at start (both unless said otherwise). */
  buckets?: BucketRole[];
  /**
   * Plugins create real AWS resources: every AWS endpoint on moto (AWS_ENDPOINT_URL) and the
   * runner's Terraform CLI configuration installing hashicorp/aws from the machine's mirror.
   */
  realAws?: boolean;
  /** More environment for every step, read at each step (e.g. a server the file starts itself). */
  env?: () => Record<string, string>;
}

/** What a DeployFlow stands on; only the fixture builds it. */
export class E2eFixture {
  readonly tfstateBucket: string;
  readonly iacBucket: string;
  private server: MotoServer | undefined;
  private folder: string | undefined;
  private realAwsEnv: Record<string, string> = {};

  constructor(private readonly options: E2eFixtureOptions) {
    this.tfstateBucket = `${options.name}-tfstate`;
    this.iacBucket = `${options.name}-iac`;
  }

  /** This file's moto_server. */
  get moto(): MotoServer {
    if (!this.server) throw new Error('harness: the e2e fixture is used before its beforeAll ran');
    return this.server;
  }

  /** The repository checkout the steps run in (GITHUB_WORKSPACE). */
  get checkout(): string {
    if (!this.folder) throw new Error('harness: the e2e fixture is used before its beforeAll ran');
    return this.folder;
  }

  async start(): Promise<void> {
    const { name, checkout = join('test', 'fixtures', 'e2e') } = this.options;
    this.server = await startMoto();
    if (this.options.realAws) this.realAwsEnv = realAwsEnv(this.server);
    await this.createBuckets();
    this.folder = mkdtempSync(join(tmpdir(), `${name}-checkout-`));
    if (checkout !== false) cpSync(join(REPO_ROOT, checkout), this.folder, { recursive: true });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** Creates the buckets of the options (again, after a `reset`). */
  async createBuckets(): Promise<void> {
    for (const role of this.options.buckets ?? ['tfstate', 'iac'])
      await this.moto.createBucket(role === 'iac' ? this.iacBucket : this.tfstateBucket);
  }

  /** Wipes moto and creates the buckets again: a test that must start from nothing. */
  async resetBuckets(): Promise<void> {
    await this.moto.reset();
    await this.createBuckets();
  }

  /** The environment the steps (and the CLI) run with. */
  stepEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...this.moto.env,
      ...this.realAwsEnv,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...this.options.env?.(),
      ...extra,
    };
  }
}

/**
 * Declares the file's fixture: starts it before the file's first test (beforeAll) and stops it
 * after the last (afterAll). Call it once, at the top of a test file.
 */
export function e2eFixture(options: E2eFixtureOptions): DeployFlow {
  const fixture = new E2eFixture(options);
  beforeAll(() => fixture.start(), 60_000);
  afterAll(() => fixture.stop());
  return new DeployFlow(fixture);
}
