export * from './state-backend';
export * from './state-key';
export * from './s3-state-backend';
export * from './open-state-backend';
export * from './unlock-state';
