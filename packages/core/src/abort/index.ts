export * from './abort-signal';
