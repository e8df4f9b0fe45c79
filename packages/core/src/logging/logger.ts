/**
 * The logging seam of the core. The actions implement it over `@actions/core` (groups, annotations,
 * masking); tests and the CLI use the implementations below. The core never writes to stdout itself.
 */
import type { SourceLocation } from '../errors';
import { secretMasker } from './secret-forms';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** A warning the user should read; shown as an annotation in GitHub when it has a location. */
  warning(message: string, location?: SourceLocation): void;
  error(message: string, location?: SourceLocation): void;
  /** Runs `fn` inside a collapsible group titled `title`. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a secret so that no later log line shows it. Call before the value is used. */
  addSecret(value: string): void;
}

/** One recorded log call, for tests. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warning' | 'error' | 'group';
  message: string;
  location?: SourceLocation;
}

/** A logger that keeps every line in memory and masks registered secrets, as the runner does. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  readonly secrets = new Set<string>();

  debug(message: string): void {
    this.push('debug', message);
  }
  info(message: string): void {
    this.push('info', message);
  }
  warning(message: string, location?: SourceLocation): void {
    this.push('warning', message, location);
  }
  error(message: string, location?: SourceLocation): void {
    this.push('error', message, location);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.push('group', title);
    return fn();
  }
  addSecret(value: string): void {
    if (value) this.secrets.add(value);
  }
  /** The messages of one level, for assertions. */
  messages(level: LogEntry['level']): string[] {
    return this.entries.filter((e) => e.level === level).map((e) => e.message);
  }

  private push(level: LogEntry['level'], message: string, location?: SourceLocation): void {
    this.entries.push({ level, message: maskSecrets(message, this.secrets), location });
  }
}

/** A logger for command-line use: plain lines on stderr, secrets masked. */
export class ConsoleLogger implements Logger {
  private readonly secrets = new Set<string>();
  constructor(private readonly verbose = false) {}

  debug(message: string): void {
    if (this.verbose) this.write(`debug: ${message}`);
  }
  info(message: string): void {
    this.write(message);
  }
  warning(message: string): void {
    this.write(`warning: ${message}`);
  }
  error(message: string): void {
    this.write(`error: ${message}`);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.write(`== ${title}`);
    return fn();
  }
  addSecret(value: string): void {
    if (value) this.secrets.add(value);
  }
  private write(line: string): void {
    process.stderr.write(`${maskSecrets(line, this.secrets)}\n`);
  }
}

/** The text a secret value shows up as in logs (JSON for non-strings); undefined when empty. */
export function secretText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Replaces every occurrence of every secret in `text` with `***`, in its encoded forms too
 * (base64, URL, JSON: see secretForms), longest first. For many texts, make one secretMasker.
 */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  return secretMasker(secrets)(text);
}
