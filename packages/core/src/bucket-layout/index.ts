export * from './iac-keys';
export * from './registry-keys';
