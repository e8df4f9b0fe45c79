export * from './registry-ref';
export * from './plugin-archive';
export * from './plugin-registry';
export * from './fetched-plugins';
