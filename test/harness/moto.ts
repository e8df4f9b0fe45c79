/**
 * Starts a real S3 (and STS) server, moto_server, on 127.0.0.1 at a free port, for one test suite.
 * Nothing here talks to anything but loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface MotoServer {
  endpoint: string;
  process: ChildProcess;
  /** Environment for anything (our bundles, Terraform) that should talk to this server. */
  env: Record<string, string>;
  s3: S3Client;
  createBucket(name: string): Promise<void>;
  getObjectText(bucket: string, key: string): Promise<string>;
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** Writes an object behind the engine's back (tampering, a concurrent writer). */
  putObject(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  /** Wipes every bucket and object. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Python start-up code for moto_server only (its sitecustomize.py): moto's router lists its own
 * package folder on every request; that listing is read once instead. See the file.
 */
const MOTO_PYTHONPATH = join(__dirname, 'moto-python');

/** Fails the suite with a clear message when moto_server is not installed. */
export async function startMoto(): Promise<MotoServer> {
  const pythonPath = [MOTO_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONPATH: pythonPath },
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      // Never leave it running: a late start would keep jest from exiting.
      child.kill('SIGKILL');
      reject(new Error(`moto_server did not start within 20 s:\n${seen}`));
    }, 20000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new Error(
          `moto_server could not be started (${error.message}); install it with: pip install "moto[server]"`,
        ),
      );
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${code} before it was ready:\n${seen}`));
    });
  });
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();

  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ requestTimeout: 10000, throwOnRequestTimeout: true }),
  });

  return {
    endpoint,
    process: child,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    s3,
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async getObjectText(bucket, key) {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await response.Body?.transformToString()) ?? '';
    },
    async putObject(bucket, key, body) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async listKeys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
        token = page.NextContinuationToken;
      } while (token);
      return keys;
    },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    async stop() {
      s3.destroy();
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
