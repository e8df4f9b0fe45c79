export * from './context';
export * from './render-string';
export * from './render-directory';
export { UndefinedValueError, SandboxError } from './strict-nunjucks';
export * from './shared-value-refs';
export * from './render-plugin';
export type { RenderRequest, ConnectionTypeSummary } from './render-protocol';
export { escapeHclString } from './marked-values';
export * from './template-session';
