export * from './connection-interface';
export * from './interface-owner';
export * from './app-binding';
export * from './context-store';
export * from './deployment-history';
export * from './consumer-index';
export * from './shared-values';
