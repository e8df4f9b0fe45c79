export * from './connection-type';
export * from './type-sources';
export * from './contract-checks';
