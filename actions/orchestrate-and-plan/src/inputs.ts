import { resolve } from 'node:path';
/** Every input of orchestrate-and-plan, parsed and validated before anything else happens. */
import {
  BUCKET_NAME,
  fileNameInput,
  insideCheckout,
  NAME,
  VERSION_LABEL,
  readAllowedModules,
  readAllowedProviders,
  readAllowedRemoteStates,
  readAwsCredentials,
  readLogLevel,
  readPathToMount,
  readPolicy,
  readReleasesUrl,
  readWorkdir,
  runnerCheckoutEnvironment,
  readTerraformVersion,
  readUnusedInputs,
  TF_LOG_LEVELS,
  type CheckoutEnvironment,
  type InputParser,
  type LogLevel,
  type TfLogLevel,
} from '@deploy-engine/action-kit';
import {
  AWS_REGION_NAME,
  S3_BACKEND_KIND,
  parseDynamicInputs,
  type AllowedModuleSource,
  type AllowedRemoteState,
  type AwsCredentialSource,
  type RunOperation,
  type PolicyOptions,
  type S3StateBackendRecord,
} from '@deploy-engine/core';

export interface OrchestrateInputs {
  /** Where the run's Terraform states live, as the run record keeps it (TFSTATE_BUCKET_*). */
  stateBackend: S3StateBackendRecord;
  iacBucket: { name: string; region: string };
  workspace: string;
  environment: string;
  version: string;
  repositoryName: string;
  pathToMount: string;
  workdir: string;
  /** Absolute folders of plugins (PLUGINS_PATH). */
  pluginDirs: string[];
  credentials: AwsCredentialSource;
  /**
   * Credentials for Terraform alone (PLAN_AWS_*): the plans run before approval with them, the
   * engine's records keep `credentials`. Ambient when none is given: Terraform uses `credentials`.
   */
  planCredentials: AwsCredentialSource;
  /** AWS_REGION: where Terraform's providers work; the buckets keep their own regions. */
  awsRegion: string;
  allowedModules: AllowedModuleSource[];
  /** FEATURES_TERRAFORM_PROVIDERS, normalised source addresses. */
  allowedProviders: string[];
  /** FEATURES_TERRAFORM_REMOTE_STATE. */
  allowedRemoteStates: AllowedRemoteState[];
  dynamicInputs: Record<string, string>;
  terraformParallelism: number;
  tfLogProvider: TfLogLevel | '';
  localExecEnabled: boolean;
  basePathOutput: string;
  skipDeploy: boolean;
  /** FEATURES_TEMPLATE_STRICT: an undefined template name is an error, not an empty value. */
  templateStrict: boolean;
  /** VERBOSE / LEVEL_LOG: debug shows the engine's debug lines (see readLogLevel). */
  logLevel: LogLevel;
  unified: boolean;
  /** DEPLOY stk.yaml, ROLLBACK to `rollbackTo`, or DESTROY everything (ROLLBACK_TO, DESTROY). */
  operation: RunOperation;
  forceDestroy: boolean;
  /** Give Terraform the repository's files as repodir/ (CHECKOUT_BRANCH). */
  checkoutBranch: boolean;
  /** How many of its own tasks (plans) may run at once (TASK_PARALLELISM). */
  taskParallelism: number;
  /** Left out of repodir/ (relative to PATH_TO_MOUNT); runtime-tasks deletes it. */
  excludeFilesPath: string;
  terraformVersion: string;
  /** TERRAFORM_RELEASES_URL: where Terraform versions are downloaded from. */
  terraformReleasesUrl: string;
  prComment: boolean;
  /** PREVIEW: plan the checkout against the target's current state, without a run (preview.ts). */
  preview: boolean;
  /** PR_COMMENT, and asking GitHub whether the workflow run of a lock's holder ended. */
  githubToken: string;
  /** RUN_LEASE_SECONDS: outside GitHub Actions, how long a run waiting for its tasks keeps the lock. */
  runLeaseSeconds: number;
  /** POLICY_COMMAND and POLICY_TIMEOUT_SECONDS: every plan is checked; none when not given. */
  policy?: PolicyOptions;
  /** DRIFT_CHECK: check the last deployment for drift instead of planning a run (see drift.ts). */
  driftCheck: boolean;
  /** FAIL_ON_DRIFT: with DRIFT_CHECK, the step fails when something drifted. */
  failOnDrift: boolean;
}

/** The inputs of the credentials Terraform plans with before approval. */
export const PLAN_CREDENTIALS = {
  role: 'PLAN_AWS_IAM_ROLE',
  keyId: 'PLAN_AWS_ACCESS_KEY_ID',
  secret: 'PLAN_AWS_SECRET_ACCESS_KEY',
  token: 'PLAN_AWS_SESSION_TOKEN',
};

export interface Parsed<T> {
  inputs: T;
  warnings: string[];
}

export function parseOrchestrateInputs(
  p: InputParser,
  env: CheckoutEnvironment = runnerCheckoutEnvironment(),
): Parsed<OrchestrateInputs> {
  readUnusedInputs(
    p,
    ['STK_CLIENT_ID', 'STK_CLIENT_SECRET', 'STK_REALM', 'OPEN_API_PATH'],
    ['STK_CLIENT_SECRET'],
    'this engine needs no StackSpot account, and the repository is checked out by actions/checkout.',
  );
  const credentials = readAwsCredentials(p, {
    role: 'AWS_IAM_ROLE',
    keyId: 'AWS_ACCESS_KEY_ID',
    secret: 'AWS_SECRET_ACCESS_KEY',
    token: 'AWS_SESSION_TOKEN',
  });
  const planCredentials = readAwsCredentials(p, PLAN_CREDENTIALS);
  const awsRegion =
    p.optionalName('AWS_REGION', AWS_REGION_NAME.pattern, AWS_REGION_NAME.rule) || 'us-east-1';
  const checkout = readPathToMount(p, env);
  // A refused PATH_TO_MOUNT is reported once, not again as every input relative to it.
  const pathToMount = checkout.root ?? env.cwd;
  const inputs: OrchestrateInputs = {
    stateBackend: {
      kind: S3_BACKEND_KIND,
      bucket: p.requiredName(
        'TFSTATE_BUCKET_NAME',
        BUCKET_NAME.pattern,
        BUCKET_NAME.rule,
        'Name the S3 bucket for Terraform states.',
      ),
      region:
        p.optionalName('TFSTATE_BUCKET_REGION', AWS_REGION_NAME.pattern, AWS_REGION_NAME.rule) ||
        awsRegion,
    },
    iacBucket: {
      name: p.requiredName(
        'IAC_BUCKET_NAME',
        BUCKET_NAME.pattern,
        BUCKET_NAME.rule,
        'Name the S3 bucket for run records and rendered IaC.',
      ),
      region:
        p.optionalName('IAC_BUCKET_REGION', AWS_REGION_NAME.pattern, AWS_REGION_NAME.rule) ||
        awsRegion,
    },
    workspace: p.requiredName('WORKSPACE', NAME.pattern, NAME.rule),
    environment: p.requiredName('ENVIRONMENT', NAME.pattern, NAME.rule),
    version: p.requiredName(
      'VERSION',
      VERSION_LABEL.pattern,
      VERSION_LABEL.rule,
      'Use a tag or the commit SHA, e.g. ${{ github.sha }}.',
    ),
    repositoryName: p.optional('REPOSITORY_NAME'),
    pathToMount,
    workdir: readWorkdir(p, checkout),
    pluginDirs: p
      .optional('PLUGINS_PATH')
      .split(/[\n,]/)
      .map((dir) => dir.trim())
      .filter((dir) => dir !== '')
      .map((dir) => resolve(pathToMount, dir)),
    credentials,
    planCredentials,
    awsRegion,
    allowedModules: readAllowedModules(p, 'FEATURES_TERRAFORM_MODULES'),
    allowedProviders: readAllowedProviders(p, 'FEATURES_TERRAFORM_PROVIDERS'),
    allowedRemoteStates: readAllowedRemoteStates(p, 'FEATURES_TERRAFORM_REMOTE_STATE'),
    dynamicInputs: p.structured('DYNAMIC_INPUTS', {}, parseDynamicInputs),
    terraformParallelism: p.integer('TERRAFORM_PARALLELISM', 10, { min: 1, max: 256 }),
    tfLogProvider: p.oneOf('TF_LOG_PROVIDER', TF_LOG_LEVELS, ''),
    localExecEnabled: p.boolean('LOCAL_EXEC_ENABLED', false),
    basePathOutput: fileNameInput(p, 'BASE_PATH_OUTPUT', 'outputs.json'),
    skipDeploy: p.boolean('SKIP_DEPLOY', false),
    templateStrict: p.boolean('FEATURES_TEMPLATE_STRICT', false),
    operation: { type: 'DEPLOY' },
    forceDestroy: p.boolean('FORCE_DESTROY', false),
    checkoutBranch: p.boolean('CHECKOUT_BRANCH', false),
    taskParallelism: p.integer('TASK_PARALLELISM', 1, { min: 1, max: 16 }),
    excludeFilesPath: checkout.root
      ? p.structured('EXCLUDE_FILES_PATH', '', (raw) => insideCheckout(pathToMount, raw))
      : p.optional('EXCLUDE_FILES_PATH'),
    logLevel: readLogLevel(p, { level: 'LEVEL_LOG', verbose: 'VERBOSE' }),
    unified: p.boolean('FEATURES_UNIFIED_DEPLOY', false),
    terraformVersion: readTerraformVersion(p, 'TERRAFORM_VERSION'),
    terraformReleasesUrl: readReleasesUrl(p, 'TERRAFORM_RELEASES_URL'),
    prComment: p.boolean('PR_COMMENT', false),
    preview: p.boolean('PREVIEW', false),
    githubToken: p.secret('GITHUB_TOKEN'),
    runLeaseSeconds: p.integer('RUN_LEASE_SECONDS', 21600, { min: 1, max: 30 * 24 * 3600 }),
    driftCheck: p.boolean('DRIFT_CHECK', false),
    failOnDrift: p.boolean('FAIL_ON_DRIFT', false),
  };
  const policy = readPolicy(p, pathToMount);
  if (policy) inputs.policy = policy;
  const rollbackTo = p.optionalName(
    'ROLLBACK_TO',
    VERSION_LABEL.pattern,
    VERSION_LABEL.rule,
    'Name the VERSION of an earlier successful deployment, e.g. v1.4.0.',
  );
  const destroy = p.boolean('DESTROY', false);
  if (rollbackTo && destroy) {
    p.fail(
      'DESTROY',
      `is true, but ROLLBACK_TO is also set (${rollbackTo}); a run either rolls back or destroys.`,
      'Set only one of them.',
    );
  }
  const other = destroy
    ? 'DESTROY is true'
    : rollbackTo
      ? `ROLLBACK_TO is set (${rollbackTo})`
      : '';
  if (inputs.preview && other) {
    p.fail(
      'PREVIEW',
      `is true, but ${other}; a preview plans a deployment of the checkout, never a destroy or a rollback.`,
      'Unset PREVIEW, or the other input.',
    );
  }
  if (inputs.driftCheck && (destroy || rollbackTo)) {
    p.fail(
      'DRIFT_CHECK',
      `is true, but ${destroy ? 'DESTROY' : 'ROLLBACK_TO'} is also set; a drift check only reads, it opens no run.`,
      'Check for drift in a workflow of its own (see examples/workflows/drift-check.yml).',
    );
  }
  if (inputs.driftCheck && inputs.preview) {
    p.fail(
      'DRIFT_CHECK',
      'is true, but PREVIEW is also true; a drift check reads the last deployment, a preview plans the checkout.',
      'Set one of them per step (a pull-request workflow previews, a scheduled one checks for drift).',
    );
  }
  if (inputs.failOnDrift && !inputs.driftCheck)
    p.warn('FAIL_ON_DRIFT is true but DRIFT_CHECK is not: it has no effect on a deployment plan.');
  inputs.operation = destroy
    ? { type: 'DESTROY' }
    : rollbackTo
      ? { type: 'ROLLBACK', version: rollbackTo }
      : { type: 'DEPLOY', skipUnchanged: inputs.skipDeploy };
  if (inputs.prComment && inputs.githubToken === '') {
    p.fail(
      'GITHUB_TOKEN',
      'is empty, but PR_COMMENT is true.',
      'Pass ${{ github.token }} or a token that can write pull-request comments.',
    );
  }
  return { inputs, warnings: p.finish('orchestrate-and-plan') };
}
