/**
 * What a run type is (docs: README "Adding a run type"): how it builds the manifest a run deploys,
 * what it records once every task succeeded, and how the job summary and the CLI describe it. Each
 * type has one file beside this one and one line in the table (table.ts).
 */
import type { Logger } from '../logging';
import type { BuildManifestOptions, Manifest } from '../manifest';
import type { RunRecord } from '../runs';
import type { RunType } from '../audit';
import type { Descriptor } from '../descriptor';
import type { UndefinedReference } from '../templates';
import type { DeploymentRecord } from '../workspace';
import type { DeploymentTarget } from '../target';
import type { BucketStores } from '../deployment/bucket-stores';
import type { DeploymentMode } from '../tasks';

/** What opening a run reads and writes in the IaC bucket (see openBucketStores). */
export type OpenRunDependencies = Omit<BucketStores, 'iacStore'>;

/** The options of a run that its manifest is built from (orchestrate-and-plan's inputs). */
export interface ManifestBuildOptions extends Omit<
  BuildManifestOptions,
  'connectionInterfaces' | 'previous' | 'logger'
> {
  /** FEATURES_TEMPLATE_STRICT: an undefined name in a computed input is an error. */
  templateStrict?: boolean;
}

/** What every run type's manifest is built with. */
export interface ManifestBuildContext {
  deps: OpenRunDependencies;
  options: ManifestBuildOptions;
  /** stk.yaml, read (and checked) before anything in S3. */
  descriptor: Descriptor;
  /** The run's target as stk.yaml names it. */
  target: () => DeploymentTarget;
  mode: DeploymentMode;
  logger: Logger;
}

/** The manifest a run deploys, and what it was built against. */
export interface BuiltManifest {
  manifest: Manifest;
  /** The last deployment of the target (successful, possibly destroyed since). */
  last: DeploymentRecord | undefined;
  /** Undefined names computed inputs used (lenient mode). */
  templateWarnings: UndefinedReference[];
}

/** What the summary and the CLI know of a run that was (or was not) opened. */
export interface RunView {
  manifest: Manifest;
  /** The last successful deployment the run starts from, if any. */
  previous?: DeploymentRecord;
}

/** How a description marks up what it names: HTML in the job summary, plain text in a terminal. */
export interface Markup {
  /** A name or value, escaped and set as code. */
  code(value: string): string;
  /** Several names, each as code. */
  codes(values: readonly string[]): string;
  /** Already marked-up text, emphasised. */
  strong(marked: string): string;
  /** Plain text, escaped. */
  text(value: string): string;
}

/** The stores the outcome of a succeeded run is recorded in. */
export type OutcomeDependencies = Pick<BucketStores, 'history' | 'consumers'>;

/** One run type: everything that differs between DEPLOY, ROLLBACK and DESTROY. */
export interface RunTypeHandler<O extends { type: RunType }> {
  type: O['type'];
  /** The summary's heading: `<title> plan: app → workspace/environment`. */
  title: string;
  /** One line for the CLI's help and the README: what a run of this type does. */
  describe: string;
  /** The input of orchestrate-and-plan that asks for it. */
  input: string;
  /** The manifest the run deploys (every refusal happens here, before the run is opened). */
  buildManifest(context: ManifestBuildContext, operation: O): Promise<BuiltManifest>;
  /** Infra plugins unchanged since the last deployment (shown in the summary). */
  unchanged(manifest: Manifest, live: DeploymentRecord | undefined): string[];
  /**
   * Why the run can end SKIPPED before anything is planned (SKIP_DEPLOY and a fingerprint equal to
   * the last deployment's), or undefined.
   */
  skipReason(
    operation: O,
    manifest: Manifest,
    live: DeploymentRecord | undefined,
    mode: DeploymentMode,
    terraformVersion: string,
  ): string | undefined;
  /** Whether a success is kept as the version record ROLLBACK_TO can go back to. */
  keepsVersion: boolean;
  /** Fields of the deployment record only this type writes (a DESTROY marks `destroyed`). */
  recordFields(run: RunRecord, at: string): Partial<DeploymentRecord>;
  /** After a success: which applications' requirements the consumer index keeps. */
  recordConsumers(deps: OutcomeDependencies, run: RunRecord, manifest: Manifest): Promise<void>;
  /** The summary's paragraph on what this run does beyond deploying stk.yaml ('' for none). */
  summary(view: RunView, m: Markup): string;
  /** The summary's sentence when no run was opened (nothing to do). */
  nothingToDo: string;
}
