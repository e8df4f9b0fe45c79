/**
 * Runs the slowest test files first, so that the two workers end together instead of one idling
 * while the other finishes a long end-to-end file (longest-first scheduling).
 *
 * jest's own order uses the durations of the previous run from its cache, which a fresh CI
 * checkout does not have (it falls back to file size, a poor guess here: the slowest files spend
 * their time in Terraform, not in their own lines). So the durations of a recent full run are
 * kept in test/jest/durations.json (refresh: `node test/jest/record-durations.cjs` after
 * `npm test`); a file not listed there uses jest's cached duration if any, else an estimate by
 * folder. The order changes only when files start, never what they test.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { relative } = require('node:path');
const recorded = require('./durations.json');

/** Seconds a file that is not in durations.json is guessed to take: e2e-like folders are slow. */
function estimate(file) {
  return /^test\/(e2e|faults|bad-inputs|cli|terraform|integration)\//.test(file) ? 60 : 1;
}

class SlowestFirstSequencer extends Sequencer {
  sort(tests) {
    const seconds = (test) => {
      const file = relative(test.context.config.rootDir, test.path).split('\\').join('/');
      const cached = this.time(test);
      return recorded[file] ?? (cached != null ? cached / 1000 : estimate(file));
    };
    const withTime = tests.map((test) => ({ test, seconds: seconds(test) }));
    // Ties keep a stable order (path), so two runs start files in the same order.
    withTime.sort((a, b) => b.seconds - a.seconds || (a.test.path < b.test.path ? -1 : 1));
    return withTime.map(({ test }) => test);
  }
}

module.exports = SlowestFirstSequencer;
