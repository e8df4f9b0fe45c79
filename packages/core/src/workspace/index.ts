export * from './target';
export * from './connection-interface';
