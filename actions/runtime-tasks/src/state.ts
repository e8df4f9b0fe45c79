/** What the main step tells its post step (through GITHUB_STATE). */
export const STATE_RUN_REF = 'run_ref';
/** Set once the main step has closed the run, whatever the outcome. */
export const STATE_CLOSED = 'run_closed';
