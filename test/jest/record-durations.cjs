/**
 * Writes test/jest/durations.json (what test/jest/sequencer.cjs orders by) from the results of
 * the last `npm test` (.tmp/jest-results.json): each test file's wall time in seconds, slowest
 * first. Files under a second are left out (the sequencer's estimate covers them).
 *
 *   node test/jest/record-durations.cjs [results.json]
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
const results = JSON.parse(
  readFileSync(process.argv[2] ?? join(root, '.tmp', 'jest-results.json'), 'utf8'),
);
const durations = results.testResults
  .map((r) => [
    relative(root, r.name).split('\\').join('/'),
    Math.round((r.endTime - r.startTime) / 1000),
  ])
  .filter(([, seconds]) => seconds >= 1)
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
writeFileSync(
  join(__dirname, 'durations.json'),
  JSON.stringify(Object.fromEntries(durations), null, 2) + '\n',
);
console.log(`test/jest/durations.json: ${durations.length} files`);
