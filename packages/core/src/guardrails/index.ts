export * from './module-sources';
export * from './hcl-blocks';
export * from './check-rendered-iac';
export * from './confine-path';
export * from './git-credentials';
