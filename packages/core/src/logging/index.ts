export * from './logger';
export * from './task-logs';
