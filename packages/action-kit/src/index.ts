export * from './input-parser';
export * from './common-inputs';
export * from './run-action';
export * from './actions-logger';
export * from './action-inputs';
export * from './not-implemented';
export * from './html';
export * from './workflow-run';
