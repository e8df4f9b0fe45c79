/**
 * Runs a program with our own time limit and cancellation, streaming its output line by line.
 *
 * The child runs in its own process group (detached): the GitHub runner sends SIGINT to our whole
 * group when a job is cancelled, and Terraform must get exactly one SIGINT, from us, to stop
 * gracefully and save its state; a second one makes it quit at once. On timeout or abort we send
 * SIGINT to the child's group, then SIGTERM after a grace, then SIGKILL, so nothing outlives us.
 *
 * The child writes to files, which we read as they grow, not to pipes: when the runner kills this
 * step before Terraform has finished stopping, a pipe would break and Terraform (a Go program)
 * would die on SIGPIPE in the middle of saving its state, leaving the state lock behind. With
 * files it finishes stopping on its own, saves and unlocks.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { spawn } from 'node:child_process';
import { secretMasker } from '../logging';

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** Called with each output line (stdout and stderr), secrets (in their encoded forms too) already masked. */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  secrets?: readonly string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  graceMs?: { interrupt: number; terminate: number };
  /** Where the output files live while the child runs (default: the system's temp folder). */
  outputDir?: string;
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
  const mask = secretMasker(options.secrets ?? []);
  const grace = options.graceMs ?? { interrupt: 20000, terminate: 10000 };
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(options.outputDir ?? tmpdir(), 'process-'));
    const files = { stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr') };
    const outFd = openSync(files.stdout, 'w');
    const errFd = openSync(files.stderr, 'w');
    let child;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', outFd, errFd],
      });
    } finally {
      // The child holds its own copies.
      closeSync(outFd);
      closeSync(errFd);
    }
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

    const follow = (stream: 'stdout' | 'stderr') => {
      const fd = openSync(files[stream], 'r');
      const buffer = Buffer.alloc(64 * 1024);
      let pending = '';
      // A read may end in the middle of a multi-byte character: decode across reads.
      const decoder = new StringDecoder('utf8');
      const emit = (text: string, last: boolean): void => {
        pending += text;
        const parts = pending.split('\n');
        pending = last ? '' : (parts.pop() ?? '');
        for (const [index, line] of parts.entries()) {
          if (last && index === parts.length - 1 && line === '') continue;
          const masked = mask(line.replace(/\r$/, ''));
          output = `${output}${masked}\n`.slice(-KEEP);
          if (stream === 'stdout') stdout += `${masked}\n`;
          options.onLine(masked, stream);
        }
      };
      return {
        read(): void {
          for (;;) {
            const n = readSync(fd, buffer, 0, buffer.length, null);
            if (n <= 0) return;
            emit(decoder.write(buffer.subarray(0, n)), false);
          }
        },
        finish(): void {
          this.read();
          emit(decoder.end(), true);
          closeSync(fd);
        },
      };
    };
    const streams = [follow('stdout'), follow('stderr')];
    const poll = setInterval(() => streams.forEach((s) => s.read()), 100);
    const done = (): void => {
      clearInterval(poll);
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      streams.forEach((s) => s.finish());
      rmSync(dir, { recursive: true, force: true });
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('close', (code, sig) => {
      done();
      // Anything left in the group (a provider, a provisioner's sleep) must not outlive the step.
      signalGroup('SIGKILL');
      resolve({ code, signal: sig, output, stdout, ...(stoppedBy ? { stoppedBy } : {}) });
    });
  });
}
