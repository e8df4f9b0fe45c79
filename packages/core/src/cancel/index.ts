export * from './cancel';
