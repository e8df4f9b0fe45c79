export * from './logger';
export * from './task-logs';
export * from './secret-forms';
export * from './task-log-recorder';
export * from './quiet-logger';
