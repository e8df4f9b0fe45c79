export * from './plan-changes';
export * from './resource-details';
export * from './plan-remainder';
