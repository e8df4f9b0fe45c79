export * from './run-types';
export * from './run-ref';
export * from './keys';
export * from './transitions';
export * from './run-store';
