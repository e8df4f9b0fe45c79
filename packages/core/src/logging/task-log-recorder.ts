/**
 * Keeps each task's log lines, to store them with the run when the task ends (the GitHub job log
 * is gone after its retention period). A logger in front of the step's logger: every line still
 * goes to the job log as before; the lines logged while a task runs (found through
 * AsyncLocalStorage, so Terraform's output and every module logging through the shared logger
 * are included) are also kept for that task. Kept text is masked like the job log: every secret
 * registered through it, in its encoded forms (secretForms), plus whatever the step's own masker
 * knows, when a line arrives and again when the log is stored. Memory and the stored object are
 * capped: the beginning and the end are kept, with a marker saying what was left out.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { formatLocation, type SourceLocation } from '../errors';
import type { Logger } from './logger';
import { secretMasker } from './secret-forms';

/** About how many bytes of a task's log are stored (its first quarter and its last three). */
export const TASK_LOG_MAX_BYTES = 1024 * 1024;
/** A longer line is cut: one line must not push everything else out. */
const MAX_LINE_CHARS = 16 * 1024;

export interface TaskLogRecorderOptions {
  /** Default TASK_LOG_MAX_BYTES. */
  maxBytes?: number;
  /** The step's own masker (the actions: every secret the step registered with the runner). */
  mask?: (text: string) => string;
  /** Secrets known before the first line (Terraform's credentials). */
  secrets?: Iterable<string>;
  now?: () => Date;
}

export class TaskLogRecorder implements Logger {
  private readonly current = new AsyncLocalStorage<CappedLines>();
  private readonly secrets = new Set<string>();
  private masker?: (text: string) => string;
  private readonly maxBytes: number;

  constructor(
    private readonly base: Logger,
    private readonly options: TaskLogRecorderOptions = {},
  ) {
    for (const secret of options.secrets ?? []) if (secret) this.secrets.add(secret);
    this.maxBytes = options.maxBytes ?? TASK_LOG_MAX_BYTES;
  }

  /**
   * Runs `fn` as one task: its lines are kept, and when it ends (succeeded or failed, the failure
   * as the last line) `save` gets the masked text. A failure to save is a warning: the task's
   * outcome stands.
   */
  async task<T>(fn: () => Promise<T>, save: (text: string) => Promise<void>): Promise<T> {
    const log = new CappedLines(this.maxBytes);
    try {
      return await this.current.run(log, fn);
    } catch (error) {
      log.add(
        this.line(
          'error',
          `The task failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      throw error;
    } finally {
      try {
        await save(this.mask(log.text()));
      } catch (saveError) {
        this.base.warning(
          `The task's log could not be stored with the run (${(saveError as Error).message}); the job log has it.`,
        );
      }
    }
  }

  debug(message: string): void {
    // Not kept: the job log shows debug lines only when step debugging is on.
    this.base.debug(message);
  }
  info(message: string): void {
    this.keep('info', message);
    this.base.info(message);
  }
  warning(message: string, location?: SourceLocation): void {
    this.keep('warning', message, location);
    this.base.warning(message, location);
  }
  error(message: string, location?: SourceLocation): void {
    this.keep('error', message, location);
    this.base.error(message, location);
  }
  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.keep('info', `— ${title}`);
    return this.base.group(title, fn);
  }
  addSecret(value: string): void {
    if (value && !this.secrets.has(value)) {
      this.secrets.add(value);
      this.masker = undefined;
    }
    this.base.addSecret(value);
  }

  private keep(level: 'info' | 'warning' | 'error', message: string, location?: SourceLocation) {
    const log = this.current.getStore();
    if (!log) return;
    const where = location ? ` (${formatLocation(location)})` : '';
    // Masked now too: a line cut below must not keep the start of a secret.
    let line = this.mask(this.line(level, `${message}${where}`));
    if (line.length > MAX_LINE_CHARS)
      line = `${line.slice(0, MAX_LINE_CHARS)} [line cut: ${line.length} characters]`;
    log.add(line);
  }

  private line(level: 'info' | 'warning' | 'error', message: string): string {
    const at = (this.options.now ?? (() => new Date()))().toISOString();
    return `${at} ${level === 'info' ? '' : `${level}: `}${message}`;
  }

  private mask(text: string): string {
    this.masker ??= secretMasker(this.secrets);
    const masked = this.masker(text);
    return this.options.mask ? this.options.mask(masked) : masked;
  }
}

/** Lines up to about `max` bytes: the first quarter, then the most recent ones. */
class CappedLines {
  private readonly head: string[] = [];
  private headBytes = 0;
  private readonly headMax: number;
  private tail: string[] = [];
  private tailStart = 0;
  private tailBytes = 0;
  private readonly tailMax: number;
  private droppedLines = 0;
  private droppedBytes = 0;

  constructor(private readonly max: number) {
    this.headMax = Math.floor(max / 4);
    this.tailMax = max - this.headMax;
  }

  add(line: string): void {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (this.tail.length === 0 && this.headBytes + bytes <= this.headMax) {
      this.head.push(line);
      this.headBytes += bytes;
      return;
    }
    this.tail.push(line);
    this.tailBytes += bytes;
    while (this.tailBytes > this.tailMax && this.tailStart < this.tail.length) {
      const gone = this.tail[this.tailStart++] as string;
      const goneBytes = Buffer.byteLength(gone, 'utf8') + 1;
      this.tailBytes -= goneBytes;
      this.droppedLines++;
      this.droppedBytes += goneBytes;
    }
    if (this.tailStart > 1024 && this.tailStart * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailStart);
      this.tailStart = 0;
    }
  }

  text(): string {
    const tail = this.tail.slice(this.tailStart);
    const marker =
      this.droppedLines > 0
        ? [
            `[… ${this.droppedLines} line(s), ${this.droppedBytes} bytes, left out here: a stored task log keeps about ${Math.round(this.max / 1024)} KiB, its beginning and its end. The job log has every line.]`,
          ]
        : [];
    const lines = [...this.head, ...marker, ...tail];
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }
}
