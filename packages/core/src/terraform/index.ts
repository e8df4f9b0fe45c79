export * from './state-key';
export * from './run-process';
export * from './terraform-output';
export * from './terraform-project';
export * from './locate-terraform';
export * from './unlock-state';
export * from './cli-config';
export * from './provider-mirror';
