export * from './classic-tasks';
export * from './connection-outputs';
export * from './plugin-snapshot';
