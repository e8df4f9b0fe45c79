export * from './classic-tasks';
export * from './connection-outputs';
export * from './plugin-snapshot';
export * from './artifacts';
export * from './open-run';
export * from './execute-tasks';
export * from './unified-tasks';
export * from './unified-run';
