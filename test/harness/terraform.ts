/** Runs the real `terraform` binary for tests, with an empty CLI config and a bounded time. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { openStateBackend, type StateBackend } from '@deploy-engine/core';

const cliConfig = join(mkdtempSync(join(tmpdir(), 'tfrc-')), 'terraformrc');
writeFileSync(cliConfig, '');

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function terraform(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 60000,
): Promise<TerraformResult> {
  return new Promise((resolve) => {
    execFile(
      'terraform',
      args,
      {
        cwd,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/root',
          TF_CLI_CONFIG_FILE: cliConfig,
          TF_IN_AUTOMATION: '1',
          CHECKPOINT_DISABLE: '1',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The -backend-config flags that point Terraform's S3 backend at a local S3 server. */
export function s3BackendConfig(endpoint: string, bucket: string, key: string): string[] {
  return [
    `-backend-config=bucket=${bucket}`,
    `-backend-config=key=${key}`,
    '-backend-config=region=us-east-1',
    `-backend-config=endpoints={s3="${endpoint}"}`,
    '-backend-config=use_path_style=true',
    '-backend-config=skip_credentials_validation=true',
    '-backend-config=skip_requesting_account_id=true',
    '-backend-config=skip_metadata_api_check=true',
    '-backend-config=skip_region_validation=true',
    '-backend-config=skip_s3_checksum=true',
    '-backend-config=use_lockfile=true',
  ];
}

/**
 * The engine's S3 state backend on a local S3 server (moto_server), opened as the actions open it
 * (a run record's `{ kind: 's3', bucket, region }`), reading states with the server's client.
 */
export function localStateBackend(
  server: { s3: S3Client; endpoint: string },
  bucket: string,
): StateBackend {
  return openStateBackend(
    { kind: 's3', bucket, region: 'us-east-1' },
    { s3In: () => server.s3, s3Endpoint: server.endpoint },
  );
}
