/**
 * Installs a Terraform version through the runner's tool cache: downloads the release zip and its
 * SHA256SUMS file, checks the zip's SHA-256 before extracting anything, and caches the binary so
 * later jobs on the same runner reuse it. (The GPG signature of SHA256SUMS is not checked.)
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import {
  ConfigurationError,
  ExternalError,
  type Logger,
  type TerraformInstaller,
} from '@deploy-engine/core';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ToolCacheTerraformInstaller implements TerraformInstaller {
  constructor(
    private readonly logger: Logger,
    private readonly baseUrl = 'https://releases.hashicorp.com/terraform',
    private readonly platform: string = process.platform,
    private readonly arch: string = ARCH[process.arch] ?? process.arch,
  ) {}

  async install(version: string): Promise<string> {
    if (!/^\d+\.\d+\.\d+(-[A-Za-z0-9.]+)?$/.test(version)) {
      throw new ConfigurationError({
        message: `TERRAFORM_VERSION '${version}' is not a Terraform version like 1.11.4.`,
      });
    }
    const cached = tc.find('terraform', version, this.arch);
    if (cached) {
      this.logger.info(`Terraform ${version} found in the tool cache.`);
      return join(cached, 'terraform');
    }
    const zipName = `terraform_${version}_${this.platform}_${this.arch}.zip`;
    const base = `${this.baseUrl.replace(/\/+$/, '')}/${version}`;
    this.logger.info(`Downloading Terraform ${version} from ${base}/${zipName}.`);
    let sumsPath: string;
    let zipPath: string;
    try {
      sumsPath = await tc.downloadTool(`${base}/terraform_${version}_SHA256SUMS`);
      zipPath = await tc.downloadTool(`${base}/${zipName}`);
    } catch (error) {
      // The server answered that it has no such file: asking again gets the same answer.
      const status = (error as { httpStatusCode?: number }).httpStatusCode;
      const absent = status === 404 || status === 403 || status === 410;
      throw new ExternalError(
        `Could not download Terraform ${version} from ${base}: ${(error as Error).message}${absent ? ' (the server has no such release)' : ''}`,
        { cause: error, retryable: !absent },
      );
    }
    const line = (await readFile(sumsPath, 'utf8'))
      .split('\n')
      .find((l) => l.trim().endsWith(`  ${zipName}`));
    const expected = line?.split(/\s+/)[0];
    if (!expected)
      throw new ExternalError(`The SHA256SUMS of Terraform ${version} lists no ${zipName}.`);
    const actual = await sha256File(zipPath);
    if (actual !== expected) {
      throw new ExternalError(
        `The downloaded ${zipName} has SHA-256 ${actual}, but its SHA256SUMS says ${expected}: it was not installed. The download was corrupted or tampered with.`,
      );
    }
    const extracted = await tc.extractZip(zipPath);
    const dir = await tc.cacheDir(extracted, 'terraform', version, this.arch);
    return join(dir, 'terraform');
  }
}
