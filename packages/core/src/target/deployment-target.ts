/**
 * What a deployment is about: one application or shared infrastructure in one workspace and
 * environment. Runs never overlap on the same target; its records and states are keyed by it.
 */

/** `app` is an Application, `infra` a Shared Infra (stk.yaml `spec.type`). */
export type AppKind = 'app' | 'infra';

export interface DeploymentTarget {
  workspace: string;
  environment: string;
  appKind: AppKind;
  /** `spec.app-id` / `spec.infra-id`, or the id derived from `metadata.name` when absent. */
  appId: string;
  /** `metadata.name`, for messages. */
  appName: string;
}

/** A stable string for a target, used in messages: `workspace/environment/app:orders`. */
export function describeTarget(target: DeploymentTarget): string {
  return `${target.workspace}/${target.environment}/${target.appKind}:${target.appName}`;
}
