/**
 * One rendered Terraform project and the commands the engine runs on it. The engine decides where
 * the state lives: init writes a backend override, so whatever backend a plugin declares, its state
 * goes to the run's state backend (state-backends/) under the key we chose.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  CancelledError,
  ConfigurationError,
  ExternalError,
  StoredObjectError,
  type StoredObjectRef,
} from '../errors';
import type { Logger } from '../logging';
import { cliConfigFailure, type RunnerCliConfig } from './cli-config';
import { commandEnvironment, withPrivateDir } from './command-environment';
import type { ProviderMirror } from './provider-mirror';
import { runProcess, type ProcessResult } from './run-process';
import {
  describeDiagnostic,
  locateDiagnostics,
  parseDiagnostics,
  type DiagnosticLocator,
  type LocatedDiagnostic,
} from './diagnostics';
import {
  classifyTerraformFailure,
  parseChangeSummary,
  type ChangeSummary,
} from './terraform-output';

export type { ChangeSummary };

/** A value of a backend setting: a string, a boolean, or a map of strings (`endpoints = {...}`). */
export type BackendSettingValue = string | boolean | Record<string, string>;

/**
 * What `terraform init` needs to keep one state in a backend (a StateBackend's settings for a
 * key): the backend type of the engine's override file and the settings of its `-backend-config`
 * file, in order. Never a credential: those reach Terraform through its environment only.
 */
export interface BackendSettings {
  /** `backend "<type>" {}`: a Terraform backend type (`s3`). */
  type: string;
  settings: Record<string, BackendSettingValue>;
  /**
   * Reads the state itself (undefined when there is none yet): one request instead of a Terraform
   * process (`state pull`) each time the state is read. Without it, Terraform reads the state.
   */
  readState?: () => Promise<string | undefined>;
  /** The object readState reads, named when what it holds is not a state. */
  stateObject?: StoredObjectRef;
}

export interface TerraformOptions {
  binary: string;
  dir: string;
  /** Credentials and region for the child; merged over a minimal base. Never on argv. */
  env: Record<string, string>;
  /** Added for `terraform init` only (git credentials for module downloads). */
  initEnv?: Record<string, string>;
  logger: Logger;
  secrets?: string[];
  signal?: AbortSignal;
  /** Per command. Default 30 minutes. */
  timeoutMs?: number;
  graceMs?: { interrupt: number; terminate: number };
  parallelism?: number;
  tfLogProvider?: string;
  /**
   * Where each command keeps its private files (its CLI configuration, which may hold registry
   * tokens, and its output while it runs): a folder of its own, 0700, made here and removed when
   * the command ends. Never inside the project, whose files Terraform code can read. Default: the
   * system's temp folder.
   */
  privateDir?: string;
  /** The runner's Terraform CLI configuration (see cliConfig), kept in what Terraform gets. */
  runnerCliConfig?: RunnerCliConfig;
  /** The step's provider mirror: inits install from it and add what they downloaded to it. */
  providerMirror?: ProviderMirror;
  /** How messages name the project (e.g. `iac/orders-topic`). */
  label?: string;
  /** The command that releases a state lock left behind, for messages (see StateLockedError). */
  unlockCommand?: string;
  /**
   * false: every plan of this project reads the state without taking its lock, as
   * `plan({ lock: false })` does (a preview must neither block nor be blocked by a deployment).
   */
  stateLock?: boolean;
  /**
   * Checks the project right before `terraform init` and again right after it (modules downloaded,
   * providers selected, none run yet); throws to refuse it. `engineFiles`: files init writes itself.
   */
  guard?: (stage: 'before-init' | 'after-init', engineFiles: readonly string[]) => Promise<void>;
  /**
   * Names the file a user can open for a file of the project Terraform reports on (a plugin's
   * template and its line); without it, `<label>/<file>`.
   */
  locate?: DiagnosticLocator;
  /**
   * Warnings already annotated (shared by the projects of one plugin): a warning the plan and the
   * apply both print is annotated once.
   */
  reportedWarnings?: Set<string>;
}

export interface OutputValue {
  value: unknown;
  sensitive: boolean;
  type?: unknown;
}

export interface StateVersion {
  serial: number;
  lineage: string;
}

const OVERRIDE_FILE = 'zz_deploy_engine_backend_override.tf';
/** Terraform's dependency lock file: the provider versions and checksums init chose. */
const LOCK_FILE = '.terraform.lock.hcl';
/** The -backend-config file init reads: the settings stay off the command line. */
const backendFile = (type: string) => `.deploy-engine.${type}.tfbackend`;
/** A backend type or setting name, as Terraform's backends spell them. */
const BACKEND_NAME = /^[a-z][a-z0-9_]*$/;

function hcl(value: string): string {
  return JSON.stringify(value);
}

/** A backend setting as a line of its -backend-config file (HCL attributes). */
function backendSetting(name: string, value: BackendSettingValue): string {
  if (!BACKEND_NAME.test(name)) throw new Error(`'${name}' is not a backend setting name`);
  if (typeof value === 'boolean') return `${name} = ${value}`;
  if (typeof value === 'string') return `${name} = ${hcl(value)}`;
  const entries = Object.entries(value).map(([k, v]) => {
    if (!BACKEND_NAME.test(k)) throw new Error(`'${k}' is not a backend setting name`);
    return `${k} = ${hcl(v)}`;
  });
  return `${name} = { ${entries.join(', ')} }`;
}

/** The parts of a Terraform state (format version 4) the engine reads. */
interface StateFile {
  serial?: number;
  lineage?: string;
  outputs?: Record<string, { value: unknown; type?: unknown; sensitive?: boolean }>;
}

export class TerraformProject {
  private readonly label: string;
  /** The backend of the last init: where the state is read from. */
  private backend: BackendSettings | undefined;

  constructor(private readonly options: TerraformOptions) {
    this.label = options.label ?? basename(options.dir);
  }

  /**
   * `terraform init` against `backend`; with `lockFile`, written first, so init installs the very
   * providers another job chose (a reviewed plan's).
   */
  async init(backend: BackendSettings, options: { lockFile?: string } = {}): Promise<void> {
    if (options.lockFile !== undefined)
      await writeFile(join(this.options.dir, LOCK_FILE), options.lockFile);
    // The guard's two passes surround every init, whoever calls it (see guardrails/guard.ts).
    const guard = this.options.guard;
    await guard?.('before-init', [OVERRIDE_FILE]);
    const mirror = this.options.providerMirror;
    if (!mirror) {
      await this.initNow(backend);
      await guard?.('after-init', [OVERRIDE_FILE]);
      return;
    }
    await mirror.aroundInit(async () => {
      await this.initNow(backend);
      await guard?.('after-init', [OVERRIDE_FILE]);
      // The mirror only saves time: a package it could not take is downloaded again next time.
      await mirror.collect(this.options.dir).catch((error: unknown) => {
        this.options.logger.warning(
          `Could not add the providers of ${this.label} to the job's provider mirror (${error instanceof Error ? error.message : String(error)}); later inits download them again.`,
        );
      });
    });
  }

  private async initNow(backend: BackendSettings): Promise<void> {
    // Names checked before anything is written: they go into HCL unquoted.
    if (!BACKEND_NAME.test(backend.type))
      throw new Error(`'${backend.type}' is not a Terraform backend type`);
    const settings = Object.entries(backend.settings).map(([name, value]) =>
      backendSetting(name, value),
    );
    this.backend = backend;
    const file = backendFile(backend.type);
    await writeFile(
      join(this.options.dir, OVERRIDE_FILE),
      `terraform {\n  backend ${hcl(backend.type)} {}\n}\n`,
    );
    await writeFile(join(this.options.dir, file), `${settings.join('\n')}\n`);
    await this.run('init', [
      'init',
      '-input=false',
      '-no-color',
      '-reconfigure',
      `-backend-config=${file}`,
    ]);
  }

  /**
   * Applies without a saved plan (`terraform apply -auto-approve`), or with `destroy` destroys
   * everything in the state (`terraform destroy -auto-approve`).
   */
  async apply(options: { destroy?: boolean } = {}): Promise<ChangeSummary> {
    const command = options.destroy ? 'destroy' : 'apply';
    const result = await this.run(command, [
      command,
      '-auto-approve',
      '-input=false',
      '-no-color',
      ...this.parallelism(),
    ]);
    return parseChangeSummary(result.stdout) ?? { added: 0, changed: 0, destroyed: 0 };
  }

  /**
   * `terraform plan -out`. `lock: false` reads the state without taking its lock (a preview or a
   * drift check must never block or be blocked by a deployment; such a plan writes no state).
   * `refreshOnly`: a refresh-only plan, what changed outside Terraform (`resource_drift`).
   */
  async plan(options: {
    out: string;
    destroy?: boolean;
    targets?: string[];
    lock?: boolean;
    refreshOnly?: boolean;
  }): Promise<ChangeSummary & { hasChanges: boolean; text: string }> {
    const result = await this.run(
      'plan',
      [
        'plan',
        '-input=false',
        '-no-color',
        '-detailed-exitcode',
        `-out=${options.out}`,
        ...(options.destroy ? ['-destroy'] : []),
        ...(options.refreshOnly ? ['-refresh-only'] : []),
        ...(options.lock === false || this.options.stateLock === false ? ['-lock=false'] : []),
        ...(options.targets ?? []).map((t) => `-target=${t}`),
        ...this.parallelism(),
      ],
      [0, 2],
    );
    const summary = parseChangeSummary(result.stdout) ?? { added: 0, changed: 0, destroyed: 0 };
    // The plan's own output is its text for people: no `terraform show` needed for it.
    return { ...summary, hasChanges: result.code === 2, text: result.stdout };
  }

  async applyPlan(planFile: string): Promise<ChangeSummary> {
    const result = await this.run('apply', [
      'apply',
      '-input=false',
      '-no-color',
      ...this.parallelism(),
      planFile,
    ]);
    return parseChangeSummary(result.stdout) ?? { added: 0, changed: 0, destroyed: 0 };
  }

  /** `terraform show` of a saved plan: its text, or with json its machine-readable form. Not logged. */
  async show(planFile: string, options: { json?: boolean } = {}): Promise<string> {
    const result = await this.run(
      'show',
      ['show', '-no-color', ...(options.json ? ['-json'] : []), planFile],
      [0],
      { quiet: true },
    );
    return result.stdout;
  }

  /** The lock file as init left it; undefined when there is none (no provider to lock). */
  async lockFile(): Promise<string | undefined> {
    const path = join(this.options.dir, LOCK_FILE);
    return existsSync(path) ? readFile(path, 'utf8') : undefined;
  }

  /** Where the state stands (its serial and lineage); undefined when there is no state yet. */
  async stateVersion(): Promise<StateVersion | undefined> {
    const state = await this.state();
    return state ? { serial: state.serial ?? 0, lineage: state.lineage ?? '' } : undefined;
  }

  /** The root module's outputs, as `terraform output -json` shows them, read from the state. */
  async output(): Promise<Record<string, OutputValue>> {
    const outputs: Record<string, OutputValue> = {};
    for (const [name, output] of Object.entries((await this.state())?.outputs ?? {})) {
      outputs[name] = {
        value: output.value,
        sensitive: output.sensitive === true,
        ...(output.type !== undefined ? { type: output.type } : {}),
      };
    }
    return outputs;
  }

  /** The state, read from the backend's object when we can, else by Terraform. Never logged. */
  private async state(): Promise<StateFile | undefined> {
    const readState = this.backend?.readState;
    const text = readState
      ? await readState()
      : (await this.run('state pull', ['state', 'pull'], [0], { quiet: true })).stdout;
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as StateFile;
    } catch (error) {
      const object = this.backend?.stateObject;
      if (!object) throw new ExternalError(`The Terraform state of ${this.label} is not JSON.`);
      throw new StoredObjectError(
        { ...object, problem: 'corrupt' },
        `is not valid JSON: it is the Terraform state of ${this.label}, changed outside Terraform or corrupt.`,
        "Restore an earlier version of it from the state bucket's versioning.",
        { cause: error },
      );
    }
  }

  private parallelism(): string[] {
    return this.options.parallelism ? [`-parallelism=${this.options.parallelism}`] : [];
  }

  private async run(
    command: string,
    args: string[],
    okCodes: number[] = [0],
    options: { quiet?: boolean } = {},
  ): Promise<ProcessResult> {
    const { logger } = this.options;
    const started = Date.now();
    let envNames = '';
    const result = await withPrivateDir(this.options.privateDir, async (privateDir) => {
      const env = {
        ...(await commandEnvironment(this.options, privateDir)),
        ...(command === 'init' ? this.options.initEnv : {}),
      };
      envNames = Object.keys(env).sort().join(', ');
      return runProcess(this.options.binary, args, {
        cwd: this.options.dir,
        env,
        outputDir: privateDir,
        secrets: this.options.secrets ?? [],
        onLine: (line) => {
          if (!options.quiet && line.trim() !== '') logger.info(line);
        },
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        timeoutMs: this.options.timeoutMs ?? 30 * 60 * 1000,
        ...(this.options.graceMs ? { graceMs: this.options.graceMs } : {}),
      });
    });
    // The variables' names only: their values hold credentials (LEVEL_LOG debug shows this line).
    logger.debug(
      `terraform ${command} in ${this.label}: exit ${result.code ?? result.signal} after ${Date.now() - started} ms (terraform ${args.join(' ')}; environment ${envNames})`,
    );
    if (result.stoppedBy === 'abort') {
      throw new CancelledError(
        `terraform ${command} in ${this.label} was interrupted because the job was cancelled; Terraform was asked to stop and save its state.`,
      );
    }
    if (result.stoppedBy === 'timeout') {
      throw new ExternalError(
        `terraform ${command} in ${this.label} did not finish within ${Math.round((this.options.timeoutMs ?? 0) / 1000)} s and was interrupted.`,
        { retryable: true },
      );
    }
    const unreadConfig = cliConfigFailure(result.output);
    if (unreadConfig !== undefined) {
      // Terraform goes on without the configuration it could not read, installing providers from
      // its implicit folders (the project's terraform.d/plugins among them): never past init.
      throw new ConfigurationError({
        message: `Terraform could not read the CLI configuration made from the runner's (${this.options.runnerCliConfig?.path ?? 'none'}): ${unreadConfig}`,
        ...(this.options.runnerCliConfig
          ? { location: { file: this.options.runnerCliConfig.path } }
          : {}),
        hint: 'Fix the file TF_CLI_CONFIG_FILE (or ~/.terraformrc) names on the runner.',
      });
    }
    if (result.signal !== null) {
      // Killed from outside (the OOM killer, a runner shutting down): not the plugin's fault.
      throw new ExternalError(
        `terraform ${command} in ${this.label} was killed by ${result.signal} before it finished: the state it was changing may not have been saved, and its state lock may be left behind (the next run says how to release it).`,
        { retryable: true },
      );
    }
    const failed = result.code === null || !okCodes.includes(result.code);
    if (options.quiet && !failed) return result;
    const diagnostics = await locateDiagnostics(
      parseDiagnostics(result.output),
      this.label,
      this.options.locate,
    );
    // Warnings on a file the user can change; the others (init's about the engine's own provider
    // installation) stay in the log.
    this.reportWarnings(diagnostics.filter((d) => d.severity === 'warning' && d.location));
    if (failed) {
      throw classifyTerraformFailure(
        command,
        result.output,
        this.label,
        this.options.unlockCommand,
        diagnostics,
      );
    }
    return result;
  }

  /** Terraform's warnings as warning annotations at the template's line, each once. */
  private reportWarnings(warnings: readonly LocatedDiagnostic[]): void {
    const seen = (this.options.reportedWarnings ??= new Set());
    for (const warning of warnings) {
      const message = describeDiagnostic(warning);
      const key = `${message}\0${warning.location?.file ?? ''}:${warning.location?.line ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.options.logger.warning(message, warning.location);
    }
  }
}
