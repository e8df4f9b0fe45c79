export * from './deployment-target';
