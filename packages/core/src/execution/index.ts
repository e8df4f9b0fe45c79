export * from './execute-options';
export * from './execute-run-tasks';
export * from './open-run';
export * from './plan-run';
export * from './apply-run';
export * from './preview-run';
export * from './drift-check';
export * from './pool-run';
