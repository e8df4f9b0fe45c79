/**
 * The run types of the contract (docs/runs-and-tasks.md#run-types), as run records, the deployment
 * history and the audit name them. What each type does is its handler's (run-types/table.ts); this
 * bottom module only names them, so the history and the run store (siblings) share one union.
 */
export const RUN_TYPES = ['DEPLOY', 'ROLLBACK', 'DESTROY'] as const;
export type RunType = (typeof RUN_TYPES)[number];
