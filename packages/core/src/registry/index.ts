export * from './registry-keys';
export * from './plugin-archive';
export * from './plugin-registry';
export * from './fetched-plugins';
