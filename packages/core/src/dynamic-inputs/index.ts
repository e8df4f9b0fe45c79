export * from './dynamic-inputs';
