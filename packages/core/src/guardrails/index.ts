export * from './module-sources';
export * from './provider-sources';
export * from './remote-state';
export * from './guard';
export * from './confine-path';
export * from './git-credentials';
export { parseHcl, preloadHclParser } from './hcl';
export { parseJsonSyntax } from './json-syntax';
export { blocksOf, fromPlain, TreeObject, type TreeValue } from './config-tree';
