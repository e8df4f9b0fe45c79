// Loaded with `node --require` into a benchmarked action: appends every line the action writes to
// stdout, stamped with the wall clock (ms), to the file named by DEPLOY_ENGINE_BENCH_TIMELINE_FILE,
// plus a `start` line when the hook loads and an `exit cpu=<ms>` line at exit. The benchmark reads the
// debug lines back to split the action's time into phases (Terraform processes and the gaps
// between them). A plain CommonJS hook for node --require; the action's own stdout is unchanged.
const { appendFileSync } = require('node:fs');
const file = process.env.DEPLOY_ENGINE_BENCH_TIMELINE_FILE;
const { isMainThread } = require('node:worker_threads');
const stamp = (line) => appendFileSync(file, `${Date.now()} ${line}\n`);
if (file && !isMainThread) {
  // A worker thread (the template renderer): its stdout reaches the main thread's, stamped there.
  stamp('worker start');
  process.on('exit', () => stamp('worker exit'));
} else if (file) {
  stamp(`start ${process.argv[1] ?? ''} boot=${Math.round(performance.now())}`);
  const write = process.stdout.write.bind(process.stdout);
  let pending = '';
  process.stdout.write = (chunk, ...rest) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) stamp(line);
    return write(chunk, ...rest);
  };
  process.on('exit', () => {
    // The process's CPU time, every thread (render workers, V8's compiler threads), not its children.
    const cpu = process.cpuUsage();
    stamp(`exit cpu=${Math.round((cpu.user + cpu.system) / 1000)}`);
  });
}
