export * from './wiring';
export * from './root-module';
