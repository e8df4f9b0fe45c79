/**
 * Samples the memory and CPU of process trees from /proc (Linux): every `everyMs`, the resident
 * memory of each process descending from the watched roots, so a Terraform process and the
 * provider plugins it starts are measured together. Peak per process, peak of the sum over all
 * watched trees at one moment, peak of each tree (a root with its descendants at one moment), and
 * CPU seconds per process (its last sampled utime + stime).
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  rssKiB: number;
  cpuTicks: number;
}

const PAGE_KIB = 4;
const TICKS_PER_SECOND = 100;

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ... : comm may hold spaces, so split after its closing parenthesis.
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      name,
      // fields from "state" (index 0): utime 11, stime 12, rss 21
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssKiB: Number(fields[21]) * PAGE_KIB,
    };
  } catch {
    return undefined; // ended meanwhile
  }
}

export interface ProcessPeak {
  pid: number;
  name: string;
  root: number;
  peakKiB: number;
  cpuSeconds: number;
}

export interface TreeSampler {
  watch(pid: number): void;
  stop(): { processes: ProcessPeak[]; peakTotalKiB: number; treePeakKiB: Map<number, number> };
}

export function sampleTrees(everyMs = 100): TreeSampler {
  const roots = new Set<number>();
  const seen = new Map<number, ProcessPeak>();
  let peakTotalKiB = 0;
  const treePeakKiB = new Map<number, number>();
  const sample = () => {
    if (roots.size === 0) return;
    const all: ProcStat[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) all.push(stat);
    }
    const parent = new Map(all.map((s) => [s.pid, s.ppid]));
    const rootOf = (pid: number): number | undefined => {
      for (let p: number | undefined = pid, hops = 0; p && hops < 50; p = parent.get(p), hops++)
        if (roots.has(p)) return p;
      return undefined;
    };
    let total = 0;
    const trees = new Map<number, number>();
    for (const stat of all) {
      const root = rootOf(stat.pid);
      if (root === undefined) continue;
      total += stat.rssKiB;
      trees.set(root, (trees.get(root) ?? 0) + stat.rssKiB);
      const known = seen.get(stat.pid);
      seen.set(stat.pid, {
        pid: stat.pid,
        name: stat.name,
        root,
        peakKiB: Math.max(known?.peakKiB ?? 0, stat.rssKiB),
        cpuSeconds: stat.cpuTicks / TICKS_PER_SECOND,
      });
    }
    peakTotalKiB = Math.max(peakTotalKiB, total);
    for (const [root, kib] of trees)
      treePeakKiB.set(root, Math.max(treePeakKiB.get(root) ?? 0, kib));
  };
  const timer = setInterval(sample, everyMs);
  return {
    watch: (pid) => roots.add(pid),
    stop: () => {
      clearInterval(timer);
      return { processes: [...seen.values()], peakTotalKiB, treePeakKiB };
    },
  };
}
