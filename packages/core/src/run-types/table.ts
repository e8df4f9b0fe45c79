/**
 * The run types, one line each: adding a run type is one file beside this one (see run-type.ts)
 * and one line here. The record's `RunType` (runs/) must name exactly these: the table's type
 * below refuses a missing or an extra one.
 */
import type { RunType } from '../audit';
import { deployRunType, type DeployOperation } from './deploy';
import { destroyRunType, type DestroyOperation } from './destroy';
import { rollbackRunType, type RollbackOperation } from './rollback';
import type { RunTypeHandler } from './run-type';

/** What a run does: deploy stk.yaml, roll back to a version tag, or destroy everything. */
export type RunOperation = DeployOperation | RollbackOperation | DestroyOperation;

/** Every run type by its name. */
export const RUN_TYPE_TABLE: {
  readonly [T in RunType]: RunTypeHandler<Extract<RunOperation, { type: T }>>;
} = {
  DEPLOY: deployRunType,
  ROLLBACK: rollbackRunType,
  DESTROY: destroyRunType,
};

/** The handler of a run type (of a run record, or of the operation asked for). */
export function runTypeOf(type: RunType): RunTypeHandler<RunOperation> {
  // Each handler takes only its own operation: callers pass the operation whose type they looked up.
  return RUN_TYPE_TABLE[type];
}

/**
 * The run type that wrote a deployment record: records written before run types existed have
 * none and were written by a DEPLOY.
 */
export function recordedRunType(record: { runType?: RunType }): RunType {
  return record.runType ?? 'DEPLOY';
}
