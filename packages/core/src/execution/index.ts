export * from './open-run';
export * from './plan-run';
export * from './apply-run';
