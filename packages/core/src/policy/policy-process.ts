/**
 * Runs a policy command in a process group of its own, reading its output through pipes (so a
 * command that floods its output is held back by the pipe and stopped, never filling a disk or
 * the memory), with a time limit and cancellation that stop the whole group: SIGINT, SIGTERM after
 * a grace, then SIGKILL. What the group leaves behind when the command exits is killed too.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface PolicyProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** Each output line (stdout and stderr), as printed: the caller masks it. */
  onLine: (line: string) => void;
  timeoutMs: number;
  /** Past this many characters of output the command is stopped (`stoppedBy: 'output'`). */
  maxOutput: number;
  graceMs: { interrupt: number; terminate: number };
  signal?: AbortSignal;
}

export interface PolicyProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why we stopped it, if we did. */
  stoppedBy?: 'timeout' | 'abort' | 'output';
}

/** How long the pipes may stay open once the command exited (a child it left holds them). */
const CLOSE_WAIT_MS = 1000;

/** Runs `bash -c <command>`; rejects only when it cannot be started. */
export function runPolicyProcess(
  command: string,
  options: PolicyProcessOptions,
): Promise<PolicyProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stoppedBy: PolicyProcessResult['stoppedBy'];
    let printed = 0;
    const timers: NodeJS.Timeout[] = [];
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // The group is gone already.
      }
    };
    const stop = (why: NonNullable<PolicyProcessResult['stoppedBy']>): void => {
      if (stoppedBy) return;
      stoppedBy = why;
      signalGroup('SIGINT');
      timers.push(setTimeout(() => signalGroup('SIGTERM'), options.graceMs.interrupt));
      timers.push(
        setTimeout(
          () => signalGroup('SIGKILL'),
          options.graceMs.interrupt + options.graceMs.terminate,
        ),
      );
    };
    const onAbort = (): void => stop('abort');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));

    const follow = (stream: NodeJS.ReadableStream) => {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      const emit = (text: string, last: boolean): void => {
        if (stoppedBy === 'output') return;
        printed += text.length;
        if (printed > options.maxOutput) {
          stop('output');
          return;
        }
        pending += text;
        const lines = pending.split('\n');
        pending = last ? '' : (lines.pop() ?? '');
        for (const line of lines) options.onLine(line.replace(/\r$/, ''));
      };
      stream.on('data', (chunk: Buffer) => emit(decoder.write(chunk), false));
      stream.on('end', () => {
        const rest = decoder.end() + pending;
        pending = '';
        if (rest !== '') emit(rest, true);
      });
    };
    follow(child.stdout);
    follow(child.stderr);

    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = (): void => {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: exited?.code ?? null,
        signal: exited?.signal ?? null,
        ...(stoppedBy ? { stoppedBy } : {}),
      });
    };
    child.on('error', (error) => {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // Nothing the command started may outlive it (a background job, a daemon in its group).
      signalGroup('SIGKILL');
      // Its pipes close once every holder is gone; one that left the group is not waited for.
      const late = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, CLOSE_WAIT_MS);
      child.on('close', () => {
        clearTimeout(late);
        finish();
      });
    });
  });
}
