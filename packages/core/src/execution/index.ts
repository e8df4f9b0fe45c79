export * from './execute-options';
export * from './execute-run-tasks';
