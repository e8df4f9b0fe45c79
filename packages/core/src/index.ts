/**
 * @deploy-engine/core: the deployment engine behind the three actions. It never imports
 * `@actions/*`; it takes a {@link Logger} and an AbortSignal so the same code runs in jest, in the
 * CLI and in the actions.
 */
export * from './errors';
export * from './encoding';
export * from './target';
export * from './audit';
export * from './bucket-layout';
export * from './logging';
export * from './abort';
export * from './commands';
export * from './tasks';
export * from './dynamic-inputs';
export * from './guardrails';
export * from './credentials';
export * from './workspace';
export * from './connection-types';
export * from './descriptor';
export * from './plugins';
export * from './manifest';
export * from './runs';
export * from './store';
export * from './terraform';
export * from './state-backends';
export * from './templates';
export * from './unified';
export * from './plan-review';
export * from './policy';
export * from './schedule';
export * from './deployment';
export * from './task-handlers';
export * from './run-types';
export * from './execution';
export * from './registry';
