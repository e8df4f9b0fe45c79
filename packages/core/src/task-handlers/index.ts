export * from './task-context';
export * from './task-handler';
export * from './table';
export { classicPlanFile } from './classic-plan';
