/**
 * ObjectStore over S3: timeouts on every call (set on the client), bounded retries with backoff for
 * what can pass (throttling, 5xx, timeouts, dropped connections), and errors that name the bucket
 * and say what to check. A conditional write that loses is never retried here: the caller decides.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConfigurationError, ExternalError, parseStoredJson, STORED_OBJECT_HINTS } from '../errors';
import {
  PreconditionFailedError,
  type ObjectStore,
  type StoredJson,
  type TaggedKey,
  type WriteCondition,
} from './object-store';

export interface S3ObjectStoreOptions {
  /** Attempts after the first, for passing failures. */
  retries?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface AwsError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const PASSING =
  /timeout|timed out|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|Throttl|SlowDown|RequestTimeout|InternalError|ServiceUnavailable/i;

export class S3ObjectStore implements ObjectStore {
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    options: S3ObjectStoreOptions = {},
  ) {
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async getJson<T>(key: string): Promise<StoredJson<T> | undefined> {
    return this.call(`read ${key}`, async () => {
      try {
        const response = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: key }),
        );
        const body = (await response.Body?.transformToString()) ?? '';
        const value = parseStoredJson<T>(
          { bucket: this.bucket, key },
          body,
          STORED_OBJECT_HINTS.any,
        );
        return { value, etag: response.ETag ?? '' };
      } catch (error) {
        if (status(error) === 404 && errorName(error) !== 'NoSuchBucket') return undefined;
        throw error;
      }
    });
  }

  async putJson(key: string, value: unknown, condition?: WriteCondition): Promise<string> {
    const body = JSON.stringify(value);
    return this.call(`write ${key}`, async () => {
      try {
        const response = await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: '*' } : {}),
            ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
          }),
        );
        return response.ETag ?? '';
      } catch (error) {
        if (status(error) === 412 || status(error) === 409) throw new PreconditionFailedError(key);
        throw error;
      }
    });
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    return this.call(`read ${key}`, async () => {
      try {
        const response = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: key }),
        );
        return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
      } catch (error) {
        if (status(error) === 404 && errorName(error) !== 'NoSuchBucket') return undefined;
        throw error;
      }
    });
  }

  async putBytes(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.call(`write ${key}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      ),
    );
  }

  async delete(key: string, condition?: { ifMatch: string }): Promise<void> {
    await this.call(`delete ${key}`, async () => {
      try {
        await this.client.send(
          new DeleteObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(condition ? { IfMatch: condition.ifMatch } : {}),
          }),
        );
      } catch (error) {
        if (status(error) === 412) throw new PreconditionFailedError(key);
        if (status(error) === 404 && errorName(error) !== 'NoSuchBucket') return;
        throw error;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listTagged(prefix)).map((o) => o.key);
  }

  async listTagged(prefix: string): Promise<TaggedKey[]> {
    return this.call(`list ${prefix}`, async () => {
      const found: TaggedKey[] = [];
      for (const page of await this.listPages(prefix))
        for (const o of page.Contents ?? [])
          if (o.Key) found.push({ key: o.Key, etag: o.ETag ?? '' });
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  async listFolders(prefix: string): Promise<string[]> {
    return this.call(`list ${prefix}`, async () => {
      const found: string[] = [];
      for (const page of await this.listPages(prefix, '/'))
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix);
      return found.sort();
    });
  }

  /** Every page of a listing of `prefix` (grouped at `delimiter` when given), in order. */
  private async listPages(
    prefix: string,
    delimiter?: string,
  ): Promise<ListObjectsV2CommandOutput[]> {
    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ContinuationToken: token,
        }),
      );
      pages.push(page);
      token = page.NextContinuationToken;
    } while (token);
    return pages;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof PreconditionFailedError || error instanceof ExternalError) throw error;
        const passing = isPassing(error);
        if (passing && attempt < this.retries) {
          await this.sleep(this.baseDelayMs * 2 ** attempt);
          continue;
        }
        throw this.explain(what, error, attempt + 1);
      }
    }
  }

  private explain(what: string, error: unknown, attempts: number): Error {
    const name = errorName(error);
    const message = (error as AwsError).message ?? String(error);
    const where = `S3 bucket ${this.bucket}`;
    if (name === 'NoSuchBucket') {
      return new ConfigurationError({
        message: `The ${where} does not exist (while trying to ${what}).`,
        hint: 'Create it, or fix the bucket name input.',
      });
    }
    if (name === 'AccessDenied' || status(error) === 403) {
      return new ConfigurationError({
        message: `Access to the ${where} was denied (while trying to ${what}).`,
        hint: 'Give the credentials s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on it.',
      });
    }
    const retryable = isPassing(error);
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    return new ExternalError(
      `Could not ${what} in the ${where}${tries}: ${name ? `${name}: ` : ''}${message}. Check that S3${process.env.AWS_ENDPOINT_URL_S3 ? ` at ${process.env.AWS_ENDPOINT_URL_S3}` : ''} is reachable from the runner.`,
      { cause: error, retryable },
    );
  }
}

function status(error: unknown): number | undefined {
  return (error as AwsError).$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  const e = error as AwsError;
  return e.name ?? e.Code ?? e.code ?? '';
}

function isPassing(error: unknown): boolean {
  const code = status(error);
  if (code !== undefined && (code >= 500 || code === 429)) return true;
  return PASSING.test(
    `${errorName(error)} ${(error as AwsError).message ?? ''} ${(error as AwsError).code ?? ''}`,
  );
}
