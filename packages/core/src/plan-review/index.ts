export * from './plan-changes';
export * from './resource-details';
