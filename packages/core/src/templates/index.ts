export * from './context';
export * from './render-string';
export * from './render-directory';
export { UndefinedValueError, SandboxError } from './strict-nunjucks';
export * from './shared-value-refs';
