export * from './run-types';
export * from './run-ref';
export * from './keys';
export * from './transitions';
export * from './run-store';
export * from './executor-claim';
export * from './artifact-integrity';
