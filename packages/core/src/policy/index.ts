export * from './plan-policy-command';
export * from './sensitive-values';
