/**
 * Readable logs when tasks run at once: each task's lines are kept and printed whole, as one
 * group, when the task ends; meanwhile a line says when a task starts and ends, and every
 * `progressMs` one line per running task says how long it has run and what it last printed.
 * The task a line belongs to is found through AsyncLocalStorage, so code logging through the
 * shared logger (Terraform's output included) needs no change.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SourceLocation } from '../errors';
import type { Logger } from './logger';

interface Line {
  level: 'debug' | 'info' | 'warning' | 'error';
  message: string;
  location?: SourceLocation;
}

interface TaskLog {
  title: string;
  startedAt: number;
  lines: Line[];
  last: string;
}

export class TaskLogs implements Logger {
  private readonly current = new AsyncLocalStorage<TaskLog>();
  private readonly running = new Set<TaskLog>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly base: Logger,
    private readonly progressMs = 15000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `fn` as the task `title`: its lines are printed as one group when it ends. */
  async task<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const log: TaskLog = { title, startedAt: this.now(), lines: [], last: '' };
    this.running.add(log);
    this.base.info(
      `▶ ${title} started${this.running.size > 1 ? ` (${this.running.size} running)` : ''}`,
    );
    this.tick();
    let outcome = 'failed';
    try {
      const result = await this.current.run(log, fn);
      outcome = 'done';
      return result;
    } finally {
      this.running.delete(log);
      if (this.running.size === 0) this.stopTicking();
      const seconds = ((this.now() - log.startedAt) / 1000).toFixed(1);
      await this.base.group(`${title} (${outcome}, ${seconds} s)`, async () => {
        for (const line of log.lines) this.write(line);
      });
    }
  }

  /** One line per running task: how long, and its last line. */
  progress(): void {
    for (const log of this.running) {
      const seconds = Math.round((this.now() - log.startedAt) / 1000);
      this.base.info(
        `⏳ ${log.title}: ${seconds} s${log.last ? ` — ${log.last.slice(0, 160)}` : ''}`,
      );
    }
  }

  debug(message: string): void {
    this.add({ level: 'debug', message });
  }
  info(message: string): void {
    this.add({ level: 'info', message });
  }
  warning(message: string, location?: SourceLocation): void {
    this.add({ level: 'warning', message, ...(location ? { location } : {}) });
  }
  error(message: string, location?: SourceLocation): void {
    this.add({ level: 'error', message, ...(location ? { location } : {}) });
  }
  /** Inside a task the group is part of the task's output; outside it is the base logger's. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const log = this.current.getStore();
    if (!log) return this.base.group(title, fn);
    log.lines.push({ level: 'info', message: `— ${title}` });
    return fn();
  }
  addSecret(value: string): void {
    this.base.addSecret(value);
  }

  private add(line: Line): void {
    const log = this.current.getStore();
    if (!log) {
      this.write(line);
      return;
    }
    log.lines.push(line);
    if (line.level !== 'debug') log.last = line.message;
  }

  private write(line: Line): void {
    if (line.level === 'debug') this.base.debug(line.message);
    else if (line.level === 'info') this.base.info(line.message);
    else this.base[line.level](line.message, line.location);
  }

  private tick(): void {
    if (this.timer || this.progressMs <= 0) return;
    this.timer = setInterval(() => this.progress(), this.progressMs);
    this.timer.unref();
  }

  private stopTicking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
