/** Finds the Terraform binary to use and says which version it is. */
import { execFile } from 'node:child_process';
import { ConfigurationError } from '../errors';
import type { Logger } from '../logging';

/** Installs a Terraform version (the actions implement it over the runner's tool cache). */
export interface TerraformInstaller {
  install(version: string): Promise<string>;
}

async function versionOf(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ['version', '-json'],
      {
        timeout: 30000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          CHECKPOINT_DISABLE: '1',
        },
      },
      (error, stdout) => {
        if (error) return resolve(undefined);
        try {
          resolve((JSON.parse(stdout) as { terraform_version?: string }).terraform_version);
        } catch {
          resolve(undefined);
        }
      },
    );
  });
}

/**
 * An explicit path wins; otherwise `terraform` on PATH when no version is asked for or it matches;
 * otherwise the installer, when given.
 */
export async function locateTerraform(options: {
  path?: string;
  version?: string;
  installer?: TerraformInstaller;
  logger: Logger;
}): Promise<{ path: string; version: string }> {
  const candidates = options.path ? [options.path] : ['terraform'];
  for (const candidate of candidates) {
    const version = await versionOf(candidate);
    if (version && (!options.version || options.version === version || options.path)) {
      options.logger.info(`Terraform ${version} (${candidate}).`);
      return { path: candidate, version };
    }
  }
  if (options.version && options.installer) {
    const path = await options.installer.install(options.version);
    const version = await versionOf(path);
    if (version) {
      options.logger.info(`Terraform ${version} installed (${path}).`);
      // Only a mirror (TERRAFORM_RELEASES_URL) can serve another version under this name.
      if (version !== options.version)
        options.logger.warning(
          `The release installed as Terraform ${options.version} says it is Terraform ${version}: check the releases mirror.`,
        );
      return { path, version };
    }
  }
  throw new ConfigurationError({
    message: options.path
      ? `Terraform at ${options.path} does not run.`
      : `No Terraform${options.version ? ` ${options.version}` : ''} was found on PATH.`,
    hint: 'Install it in the job before this step (for example with hashicorp/setup-terraform).',
  });
}
