/**
 * Runs a program with our own time limit and cancellation, streaming its output line by line.
 *
 * The child runs in its own process group (detached): the GitHub runner sends SIGINT to our whole
 * group when a job is cancelled, and Terraform must get exactly one SIGINT, from us, to stop
 * gracefully and save its state; a second one makes it quit at once. On timeout or abort we send
 * SIGINT to the child's group, then SIGTERM after a grace, then SIGKILL, so nothing outlives us.
 */
import { StringDecoder } from 'node:string_decoder';
import { spawn } from 'node:child_process';
import { maskSecrets } from '../logging';

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** Called with each output line (stdout and stderr), secrets already masked. */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  secrets?: readonly string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  graceMs?: { interrupt: number; terminate: number };
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last 64 KiB of output, masked. */
  output: string;
  stdout: string;
  /** Why we stopped it, if we did. */
  stoppedBy?: 'timeout' | 'abort';
}

const KEEP = 64 * 1024;

export function runProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const secrets = options.secrets ?? [];
  const grace = options.graceMs ?? { interrupt: 20000, terminate: 10000 };
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    let stoppedBy: ProcessResult['stoppedBy'];
    const timers: NodeJS.Timeout[] = [];
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // The group is gone already.
      }
    };
    const stop = (why: 'timeout' | 'abort'): void => {
      if (stoppedBy) return;
      stoppedBy = why;
      signalGroup('SIGINT');
      timers.push(setTimeout(() => signalGroup('SIGTERM'), grace.interrupt));
      timers.push(setTimeout(() => signalGroup('SIGKILL'), grace.interrupt + grace.terminate));
    };
    const onAbort = (): void => stop('abort');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    if (options.timeoutMs !== undefined)
      timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));

    const lines = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      // A chunk may end in the middle of a multi-byte character: decode across chunks.
      const decoder = new StringDecoder('utf8');
      return (chunk: Buffer): void => {
        const text = maskSecrets(decoder.write(chunk), secrets);
        output = (output + text).slice(-KEEP);
        if (stream === 'stdout') stdout += text;
        pending += text;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) options.onLine(line.replace(/\r$/, ''), stream);
      };
    };
    child.stdout.on('data', lines('stdout'));
    child.stderr.on('data', lines('stderr'));
    child.on('error', (error) => {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, sig) => {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      // Anything left in the group (a provider, a provisioner's sleep) must not outlive the step.
      signalGroup('SIGKILL');
      resolve({ code, signal: sig, output, stdout, ...(stoppedBy ? { stoppedBy } : {}) });
    });
  });
}
