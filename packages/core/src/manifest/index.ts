export * from './types';
export * from './ordering';
export * from './mermaid';
export * from './resolve-inputs';
export * from './build-manifest';
