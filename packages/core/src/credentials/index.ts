export * from './aws-credentials';
export * from './credential-provider';
