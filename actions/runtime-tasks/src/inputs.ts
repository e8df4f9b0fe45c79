/** Every input of runtime-tasks, parsed and validated before anything else happens. */
import {
  fileNameInput,
  readAllowedModules,
  readAllowedProviders,
  readAllowedRemoteStates,
  readAwsCredentials,
  readLogLevel,
  readPathToMount,
  readPolicy,
  readReleasesUrl,
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
  DEFAULT_WORKER_LEASE_MS,
  MIN_WORKER_LEASE_MS,
  parseTaskList,
  TASK_TABLE,
  type AllowedModuleSource,
  type AllowedRemoteState,
  type ApplyTask,
  type AwsCredentialInputNames,
  type AwsCredentialSource,
  type PolicyOptions,
} from '@deploy-engine/core';

/** runtime-tasks' credential inputs: StackSpot's runtime-tasks-action names the role AWS_ROLE_ARN. */
export const RUNTIME_CREDENTIAL_INPUTS: AwsCredentialInputNames = {
  role: 'AWS_ROLE_ARN',
  keyId: 'AWS_ACCESS_KEY_ID',
  secret: 'AWS_SECRET_ACCESS_KEY',
  token: 'AWS_SESSION_TOKEN',
};

export interface RuntimeInputs {
  runId: string;
  tasks: ApplyTask[];
  repositoryName: string;
  pathToMount: string;
  /** AWS_REGION; '' when not given: the region the run was planned in (see applyRegion). */
  awsRegion: string;
  credentials: AwsCredentialSource;
  allowedModules: AllowedModuleSource[];
  /** FEATURES_TERRAFORM_PROVIDERS, normalised source addresses. */
  allowedProviders: string[];
  /** FEATURES_TERRAFORM_REMOTE_STATE. */
  allowedRemoteStates: AllowedRemoteState[];
  /** '' means the terraform on PATH. */
  terraformVersion: string;
  /** TERRAFORM_RELEASES_URL: where Terraform versions are downloaded from. */
  terraformReleasesUrl: string;
  terraformParallelism: number;
  tfLogProvider: TfLogLevel | '';
  localExecEnabled: boolean;
  outputFileSuffix: string;
  excludeFilesPath: string;
  /** Asked for here; orchestrate-and-plan's CHECKOUT_BRANCH decides (it is recorded with the run). */
  checkoutBranch: boolean;
  /** How many tasks may run at once (TASK_PARALLELISM). */
  taskParallelism: number;
  /** FEATURES_LEVEL_LOG: debug shows the engine's debug lines (see readLogLevel). */
  logLevel: LogLevel;
  /** FEATURES_TEMPLATE_STRICT: an undefined template name is an error, not an empty value. */
  templateStrict: boolean;
  /** The job's token, to read who approved the run (masked). */
  githubToken: string;
  /** POLICY_COMMAND and POLICY_TIMEOUT_SECONDS: the plans this job makes itself are checked. */
  policy?: PolicyOptions;
  /** WORKERS: how many runtime-tasks jobs (a matrix) execute the run together; 1 = this one alone. */
  workers: number;
  /** WORKER_LEASE_SECONDS, in ms: how long a silent worker keeps its tasks (WORKERS > 1). */
  workerLeaseMs: number;
}

export function parseRuntimeInputs(
  p: InputParser,
  env: CheckoutEnvironment = runnerCheckoutEnvironment(),
): { inputs: RuntimeInputs; warnings: string[] } {
  readUnusedInputs(
    p,
    ['CLIENT_ID', 'CLIENT_KEY', 'CLIENT_REALM'],
    ['CLIENT_KEY'],
    'this engine needs no StackSpot account, and the repository is checked out by actions/checkout.',
  );
  const credentials = readAwsCredentials(p, RUNTIME_CREDENTIAL_INPUTS);
  const outputFile = fileNameInput(p, 'OUTPUT_FILE', '');
  const basePathOutput = fileNameInput(p, 'BASE_PATH_OUTPUT', '');
  const inputs: RuntimeInputs = {
    runId: p.required('RUN_ID', 'Pass the run_id output of orchestrate-and-plan.'),
    tasks: p.structured('TASK_LIST', [], (raw) => TASK_TABLE.checkTaskTypes(parseTaskList(raw)), {
      required: 'Pass the apply_tasks output of orchestrate-and-plan.',
    }),
    repositoryName: p.optional('REPOSITORY_NAME'),
    pathToMount: readPathToMount(p, env).root ?? env.cwd,
    awsRegion: p.optionalName('AWS_REGION', AWS_REGION_NAME.pattern, AWS_REGION_NAME.rule),
    credentials,
    allowedModules: readAllowedModules(p, 'FEATURES_TERRAFORM_MODULES'),
    allowedProviders: readAllowedProviders(p, 'FEATURES_TERRAFORM_PROVIDERS'),
    allowedRemoteStates: readAllowedRemoteStates(p, 'FEATURES_TERRAFORM_REMOTE_STATE'),
    terraformVersion: readTerraformVersion(p, 'TERRAFORM_VERSION'),
    terraformReleasesUrl: readReleasesUrl(p, 'TERRAFORM_RELEASES_URL'),
    terraformParallelism: p.integer('TF_PARALLELISM', 10, { min: 1, max: 256 }),
    tfLogProvider: p.oneOf('TF_LOG_PROVIDER', TF_LOG_LEVELS, ''),
    localExecEnabled: p.boolean('LOCALEXEC_ENABLED', false),
    outputFileSuffix: outputFile || basePathOutput || 'outputs.json',
    excludeFilesPath: p.optional('EXCLUDE_FILES_PATH'),
    checkoutBranch: p.boolean('CHECKOUT_BRANCH', false),
    taskParallelism: p.integer('TASK_PARALLELISM', 1, { min: 1, max: 16 }),
    logLevel: readLogLevel(p, { level: 'FEATURES_LEVEL_LOG' }),
    templateStrict: p.boolean('FEATURES_TEMPLATE_STRICT', false),
    githubToken: p.secret('GITHUB_TOKEN'),
    workers: p.integer('WORKERS', 1, { min: 1, max: 256 }),
    workerLeaseMs:
      p.integer('WORKER_LEASE_SECONDS', DEFAULT_WORKER_LEASE_MS / 1000, {
        min: MIN_WORKER_LEASE_MS / 1000,
        max: 3600,
      }) * 1000,
  };
  const policy = readPolicy(p, inputs.pathToMount);
  if (policy) inputs.policy = policy;
  if (
    outputFile &&
    basePathOutput &&
    outputFile !== basePathOutput &&
    basePathOutput !== 'outputs.json'
  ) {
    p.warn(
      `OUTPUT_FILE (${outputFile}) and BASE_PATH_OUTPUT (${basePathOutput}) differ; OUTPUT_FILE is used.`,
    );
  }
  return { inputs, warnings: p.finish('runtime-tasks') };
}
