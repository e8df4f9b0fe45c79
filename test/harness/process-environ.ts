/**
 * Records the environment of processes while they run, from Linux's /proc: what a process was
 * really started with (/proc/<pid>/environ), not what its parent meant to give it. A test watches
 * the Terraform processes a bundle starts (polled every few milliseconds: each lives far longer)
 * and checks what they could read.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';

export interface SeenProcess {
  pid: number;
  /** The executable's file name (`terraform`). */
  executable: string;
  env: Record<string, string>;
}

export interface ProcessWatch {
  /** Stops watching; returns every matching process seen, once each. */
  stop(): SeenProcess[];
}

function environ(pid: string): Record<string, string> | undefined {
  try {
    const env: Record<string, string> = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  } catch {
    return undefined; // gone already
  }
}

/**
 * Watches processes whose executable is named `executable` and whose environment passes `mine`
 * (other tests run Terraform on the same machine: tell ours apart, e.g. by their HOME).
 */
export function watchProcesses(
  executable: string,
  mine: (env: Record<string, string>) => boolean,
  intervalMs = 5,
): ProcessWatch {
  const seen = new Map<number, SeenProcess>();
  const scan = (): void => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || seen.has(Number(pid))) continue;
      let exe: string;
      try {
        exe = readlinkSync(`/proc/${pid}/exe`);
      } catch {
        continue;
      }
      // Not skipped for good: a child is another program until it has exec'd its own.
      if (basename(exe) !== executable) continue;
      const env = environ(pid);
      if (env && mine(env)) seen.set(Number(pid), { pid: Number(pid), executable: exe, env });
    }
  };
  const timer = setInterval(scan, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return [...seen.values()];
    },
  };
}
