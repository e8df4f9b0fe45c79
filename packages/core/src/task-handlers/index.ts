export * from './task-context';
export * from './task-handler';
export * from './table';
