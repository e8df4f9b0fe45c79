// Loaded with `node --require` into a benchmarked action: on exit, appends the process's peak
// resident memory (KiB) to the file named by DEPLOY_ENGINE_BENCH_RSS_FILE.
// A plain CommonJS hook for node --require.
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.DEPLOY_ENGINE_BENCH_RSS_FILE;
  if (file) appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
});
