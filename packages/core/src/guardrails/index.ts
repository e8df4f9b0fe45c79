export * from './module-sources';
