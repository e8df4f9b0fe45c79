/**
 * The Terraform projects of one job: each gets the run's Terraform version for its plugin, the
 * guard (before and after its init), the provider mirror the job shares, private module
 * credentials, the secrets met so far, and, for runs planned with CHECKOUT_BRANCH, the
 * repository's files linked as repodir/. Also where each project keeps its state (stateBackend).
 */
import { existsSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cliCommand } from '../commands';
import {
  gitCredentials,
  guardProject,
  preloadHclParser,
  type GitCredentials,
  type GuardrailOptions,
} from '../guardrails';
import type { Logger } from '../logging';
import type { Manifest } from '../manifest';
import type { RunRecord, RunStore } from '../runs';
import {
  openStateBackend,
  stateKey,
  unifiedStateKey,
  type StateBackend,
  type StateBackendAccess,
} from '../state-backends';
import {
  ProviderMirror,
  TerraformProject,
  type BackendSettings,
  type TerraformOptions,
} from '../terraform';
import type { DiagnosticPlaces } from './diagnostic-places';
import { REPODIR, scanRepositoryFiles } from './repository-files';
import type { SecretMasker } from './secret-masker';
import {
  installTerraformVersions,
  noteRecordedVersions,
  terraformBinaryFor,
  type TerraformResolver,
} from './terraform-versions';

export interface TerraformProjectsOptions {
  /** A private scratch folder (RUNNER_TEMP/...). */
  workDir: string;
  /** Everything Terraform needs but the project folder and the logger. */
  terraform: Omit<TerraformOptions, 'dir' | 'logger' | 'signal' | 'providerMirror'>;
  /**
   * Where the step keeps the provider packages its inits downloaded, for later inits to install
   * from (see ProviderMirror); without it every init installs on its own.
   */
  providerMirrorDir?: string;
  /** The version of terraform.binary, recorded with the deployment (SKIP_DEPLOY compares it). */
  terraformVersion: string;
  /** Installs the versions the run chose per plugin (manifest.terraformVersions); see terraform-versions.ts. */
  resolveTerraform?: TerraformResolver;
  /**
   * LOCAL_EXEC_ENABLED, FEATURES_TERRAFORM_MODULES, _PROVIDERS and _REMOTE_STATE: the guard every
   * TerraformProject runs before and after its init (see guardrails/guard.ts).
   */
  guardrails: GuardrailOptions;
  /**
   * The checkout, for runs planned with CHECKOUT_BRANCH: copied once into the work folder and
   * linked as repodir/ into every project. `exclude`: paths relative to root left out.
   */
  checkout?: { root: string; exclude: string[]; requested?: boolean };
  /** How the step reaches the run's state backend (RunRecord.tfstate): its clients and endpoint. */
  stateAccess: StateBackendAccess;
  signal?: AbortSignal;
  /**
   * Leave the run RUNNING when these tasks succeed (orchestrate-and-plan's own tasks: the approved
   * ones follow in runtime-tasks; the versions the run chose are noted by that job only). A
   * failure closes the run all the same.
   */
  leaveOpen?: boolean;
}

export class TerraformProjects {
  /** CHECKOUT_BRANCH: this job's copy of the repository files. */
  private repodir?: string;
  /** The run's state backend, opened at the first init of the job. */
  private backend?: StateBackend;
  private readonly providerMirror: ProviderMirror | undefined;
  /** Private module tokens for `terraform init`, masked once. */
  private readonly git: GitCredentials;
  /** The binary of each Terraform version the run chose per plugin. */
  private binaries = new Map<string, string>();

  constructor(
    private readonly deps: { runs: RunStore; logger: Logger },
    private readonly run: RunRecord,
    private readonly manifest: Manifest,
    private readonly options: TerraformProjectsOptions,
    private readonly places: DiagnosticPlaces,
    private readonly masker: SecretMasker,
  ) {
    this.git = gitCredentials(options.guardrails.allowedModules);
    this.git.secrets.forEach((secret) => deps.logger.addSecret(secret));
    this.providerMirror = options.providerMirrorDir
      ? new ProviderMirror(options.providerMirrorDir, deps.logger)
      : undefined;
  }

  /**
   * Once per job, before any task: the repository files and the Terraform versions. The guard's
   * HCL parser starts loading meanwhile (the first render and init need it).
   */
  async prepare(): Promise<void> {
    preloadHclParser();
    await this.prepareRepositoryFiles();
    await this.prepareTerraform();
  }

  /** A Terraform project in `dir`, for plugin `alias` (null: the unified project). */
  project(dir: string, alias: string | null): TerraformProject {
    const { repodir, options } = this;
    if (repodir) {
      const link = join(dir, REPODIR);
      if (!existsSync(link)) symlinkSync(repodir, link, 'dir');
    }
    return new TerraformProject({
      ...options.terraform,
      binary: terraformBinaryFor(this.manifest, this.binaries, alias, options.terraform.binary),
      ...this.places.forProject(dir, (stage, engineFiles) =>
        guardProject(
          { dir, label: basename(dir), extraRoots: repodir ? [repodir] : [], engineFiles },
          options.guardrails,
          stage,
        ),
      ),
      initEnv: this.git.env,
      ...(this.providerMirror ? { providerMirror: this.providerMirror } : {}),
      unlockCommand: cliCommand('unlock-state', this.deps.runs.runRef(this.run.runId)),
      secrets: [...(options.terraform.secrets ?? []), ...this.git.secrets, ...this.masker.secrets],
      dir,
      logger: this.deps.logger,
      signal: options.signal,
    });
  }

  /**
   * Where the state of plugin `alias` (null: the unified project) lives: the only place task
   * execution asks for backend settings.
   */
  stateBackend(alias: string | null): BackendSettings {
    const { target } = this.manifest;
    const key = alias === null ? unifiedStateKey(target) : stateKey({ ...target, alias });
    this.backend ??= openStateBackend(this.run.tfstate, this.options.stateAccess);
    return this.backend.settings(key);
  }

  /** CHECKOUT_BRANCH: the repository's files, once per job, checked against what was planned. */
  private async prepareRepositoryFiles(): Promise<void> {
    const planned = this.manifest.repositoryFiles;
    const { checkout, workDir } = this.options;
    const { logger } = this.deps;
    if (!planned) {
      if (checkout?.requested)
        logger.warning(
          'CHECKOUT_BRANCH is set here, but this run was planned without it: set CHECKOUT_BRANCH on orchestrate-and-plan, which records it with the run.',
        );
      return;
    }
    if (!checkout) throw new Error(`run ${this.run.runId} needs the checkout (CHECKOUT_BRANCH)`);
    const copy = join(workDir, REPODIR);
    const found = await scanRepositoryFiles(checkout.root, checkout.exclude, copy);
    this.repodir = copy;
    if (found.digest !== planned.digest) {
      logger.warning(
        `The repository files differ from those the run was planned with (${planned.files} file(s), digest ${planned.digest.slice(0, 12)} then; ${found.files}, ${found.digest.slice(0, 12)} now): check out the same commit in both jobs. Reviewed plans still apply what was reviewed.`,
      );
    } else {
      logger.info(`repodir/: ${found.files} repository file(s), as planned.`);
    }
  }

  /** Installs, once per job, the Terraform versions the run chose per plugin. */
  private async prepareTerraform(): Promise<void> {
    if (!this.manifest.terraformVersions) return;
    if (!this.options.resolveTerraform)
      throw new Error('the run chose Terraform versions per plugin, but no installer was given');
    if (!this.options.leaveOpen)
      noteRecordedVersions(this.manifest, this.options.terraformVersion, this.deps.logger);
    this.binaries = await installTerraformVersions(this.manifest, this.options.resolveTerraform);
  }
}
