export * from './aws-credentials';
