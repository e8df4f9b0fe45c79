export * from './task-types';
export * from './task-list';
