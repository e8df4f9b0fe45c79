/**
 * Where and with what Terraform runs in a step that executes tasks (orchestrate-and-plan's plans,
 * runtime-tasks' applies): the binary (installed on request), the credentials for it and for the
 * run's state backend, a private work folder under RUNNER_TEMP and a provider cache shared by the
 * step's projects.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  locateTerraform,
  readRunnerCliConfig,
  registryTokens,
  registryTokenVariables,
  type ExecuteOptions,
  type TerraformResolver,
} from '@deploy-engine/core';
import { actionsLogger } from './actions-logger';
import type { AwsSession } from './aws-session';
import { ToolCacheTerraformInstaller } from './terraform-installer';

export interface TaskEnvironmentInputs {
  /** The checkout (PATH_TO_MOUNT): outputs files go there. */
  pathToMount: string;
  outputFileSuffix: string;
  /** TERRAFORM_VERSION; empty: the terraform on PATH. */
  terraformVersion: string;
  /** TERRAFORM_RELEASES_URL: where versions not on PATH or in the tool cache are downloaded. */
  terraformReleasesUrl: string;
  terraformParallelism: number;
  tfLogProvider: string;
  /** The region Terraform's providers work in (AWS_REGION), apart from the buckets' regions. */
  awsRegion: string;
}

/** The Terraform binary TERRAFORM_VERSION asks for (installed if needed), and its version. */
export async function prepareTerraform(
  inputs: Pick<TaskEnvironmentInputs, 'terraformVersion' | 'terraformReleasesUrl'>,
): Promise<{ path: string; version: string }> {
  const logger = actionsLogger;
  return locateTerraform({
    logger,
    ...(inputs.terraformVersion
      ? {
          version: inputs.terraformVersion,
          installer: new ToolCacheTerraformInstaller(logger, inputs.terraformReleasesUrl),
        }
      : {}),
  });
}

/** Binaries found or installed in this process, per releases URL and version. */
const resolved = new Map<string, Promise<string>>();

/**
 * The binary of each Terraform version a plugin's runtime environment asks for: `terraform` on PATH
 * when it is that version, else the tool cache, else downloaded and checked against SHA256SUMS.
 * Once per version in a step, however many plugins and tasks ask.
 */
export function terraformResolver(
  inputs: Pick<TaskEnvironmentInputs, 'terraformReleasesUrl'>,
): TerraformResolver {
  const logger = actionsLogger;
  const installer = new ToolCacheTerraformInstaller(logger, inputs.terraformReleasesUrl);
  return (version) => {
    const key = `${inputs.terraformReleasesUrl} ${version}`;
    let found = resolved.get(key);
    if (!found) {
      found = locateTerraform({ version, installer, logger }).then((t) => t.path);
      // A failure is not remembered: the next ask tries again.
      found.catch(() => resolved.delete(key));
      resolved.set(key, found);
    }
    return found;
  };
}

/** The scratch folder inside the checkout, when the runner gives no RUNNER_TEMP. */
const SCRATCH_IN_CHECKOUT = '.deploy-engine';

export async function taskEnvironment(
  session: AwsSession,
  runId: string,
  inputs: TaskEnvironmentInputs,
  prepared?: { path: string; version: string },
): Promise<
  Pick<
    ExecuteOptions,
    | 'workDir'
    | 'outputDir'
    | 'outputFileSuffix'
    | 'terraform'
    | 'terraformVersion'
    | 'resolveTerraform'
    | 'stateAccess'
    | 'providerMirrorDir'
  >
> {
  const terraform = prepared ?? (await prepareTerraform(inputs));
  const credentials = await session.terraform(inputs.awsRegion);
  actionsLogger.info(
    `Terraform runs in AWS region ${inputs.awsRegion} (AWS_REGION); the run's state backend keeps the region it was recorded with.`,
  );
  const temp = process.env.RUNNER_TEMP ?? join(inputs.pathToMount, SCRATCH_IN_CHECKOUT);
  // The runner's own CLI configuration (mirrors, registry credentials) and TF_TOKEN_<host>
  // variables are kept, every registry token masked before Terraform runs.
  const runnerCliConfig = readRunnerCliConfig();
  const tokens = registryTokens(runnerCliConfig?.text);
  tokens.forEach((token) => actionsLogger.addSecret(token));
  if (runnerCliConfig) actionsLogger.info(`Terraform CLI configuration: ${runnerCliConfig.path}.`);
  return {
    providerMirrorDir: join(temp, 'deploy-engine', 'providers'),
    workDir: join(temp, 'deploy-engine', runId),
    outputDir: inputs.pathToMount,
    outputFileSuffix: inputs.outputFileSuffix,
    terraformVersion: terraform.version,
    resolveTerraform: terraformResolver(inputs),
    terraform: {
      binary: terraform.path,
      env: { ...registryTokenVariables(), ...credentials.env },
      secrets: [...credentials.secrets, ...tokens],
      // Never in the checkout, even without RUNNER_TEMP: Terraform code reads project files.
      privateDir: join(process.env.RUNNER_TEMP ?? tmpdir(), 'deploy-engine', 'private'),
      parallelism: inputs.terraformParallelism,
      ...(inputs.tfLogProvider ? { tfLogProvider: inputs.tfLogProvider } : {}),
      ...(runnerCliConfig ? { runnerCliConfig } : {}),
    },
    // States are read with the step's credentials: no Terraform process to read them.
    stateAccess: {
      s3In: (region) => session.s3In(region),
      ...(process.env.AWS_ENDPOINT_URL_S3 ? { s3Endpoint: process.env.AWS_ENDPOINT_URL_S3 } : {}),
    },
  };
}

/**
 * What CHECKOUT_BRANCH leaves out of repodir/ besides `.git` and `.stk/FORKED_PLUGINS`: the
 * EXCLUDE_FILES_PATH, this engine's scratch folder, and the outputs files it writes into the
 * checkout (`<alias>_<suffix>`), which differ between jobs.
 */
export function repositoryExclusions(
  pathToMount: string,
  outputFileSuffix: string,
  excludeFilesPath: string,
): string[] {
  const outputs = existsSync(pathToMount)
    ? readdirSync(pathToMount).filter((name) => name.endsWith(`_${outputFileSuffix}`))
    : [];
  return [
    ...(excludeFilesPath ? [relative(pathToMount, resolve(pathToMount, excludeFilesPath))] : []),
    SCRATCH_IN_CHECKOUT,
    ...outputs,
  ];
}
