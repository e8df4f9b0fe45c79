export * from './plugin-ref';
export * from './plugin-definition';
export * from './locate-plugin';
export * from './runtime-environment';
export * from './plugin-snapshot';
