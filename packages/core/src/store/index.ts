export * from './object-store';
export * from './memory-object-store';
export * from './s3-object-store';
export * from './s3-client';
export * from './required-object';
export * from './read-only-object-store';
