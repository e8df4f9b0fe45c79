export * from './wiring';
export * from './root-module';
export * from './plan-review';
