/**
 * The IaC bucket's key layout (documented in docs/bucket-layout.md). Names from users are
 * URI-encoded so no workspace, environment or id can reach into another's keys.
 */
import type { DeploymentTarget } from '../target';

const part = (value: string): string => encodeURIComponent(value);

export function targetPath(target: DeploymentTarget): string {
  return `${part(target.workspace)}/${part(target.environment)}/${target.appKind}/${part(target.appId)}`;
}

const consumersPrefix = (workspace: string, environment: string): string =>
  `workspaces/${part(workspace)}/${part(environment)}/consumers/`;
const targetRunsPrefix = (target: DeploymentTarget): string =>
  `history/${targetPath(target)}/runs/`;

/** Workspace-wide objects sit under `_all`, which no environment name can be (they start alnum). */
const sharedValuesPrefix = (workspace: string, environment: string | undefined): string =>
  `workspaces/${part(workspace)}/${environment === undefined ? '_all' : part(environment)}/shared-values/`;
const connectionInterfaceTypesPrefix = (workspace: string): string =>
  `workspaces/${part(workspace)}/_all/connection-interface-types/`;

export const keys = {
  run: (runId: string) => `runs/${runId}/record.json`,
  artifact: (runId: string, name: string) =>
    `runs/${runId}/artifacts/${name.split('/').map(part).join('/')}.json`,
  /** A run's raw files (plan files and plan texts), stored as they are. */
  file: (runId: string, name: string) =>
    `runs/${runId}/files/${name.split('/').map(part).join('/')}`,
  /** The log of one task of a run, masked (see logging/task-log-recorder.ts). */
  taskLog: (runId: string, runTaskId: string) => `runs/${runId}/logs/${part(runTaskId)}.log`,
  taskLogsPrefix: (runId: string) => `runs/${runId}/logs/`,
  runsPrefix: 'runs/',
  /** Every object of one run (prune deletes them together). */
  runPrefix: (runId: string) => `runs/${runId}/`,
  /** The executing step's heartbeat (see heartbeat.ts): apart from the record it would race. */
  heartbeat: (runId: string) => `runs/${runId}/heartbeat.json`,
  /**
   * The current state of one task of a run (see runs/task-objects.ts): written at each of its
   * transitions instead of the whole record.
   */
  task: (runId: string, runTaskId: string) => `runs/${runId}/tasks/${part(runTaskId)}.json`,
  tasksPrefix: (runId: string) => `runs/${runId}/tasks/`,
  /** One worker of a pool executing the run, with its heartbeat (see runs/worker-heartbeats.ts). */
  worker: (runId: string, workerId: string) => `runs/${runId}/workers/${part(workerId)}.json`,
  workersPrefix: (runId: string) => `runs/${runId}/workers/`,
  lock: (target: DeploymentTarget) => `locks/${targetPath(target)}.json`,
  connectionInterface: (workspace: string, environment: string, name: string) =>
    `workspaces/${part(workspace)}/${part(environment)}/connection-interfaces/${part(name)}.json`,
  connectionInterfaces: (workspace: string, environment: string) =>
    `workspaces/${part(workspace)}/${part(environment)}/connection-interfaces/`,
  /** Which Connection Interfaces a target's last deployment requires (see ConsumerIndex). */
  consumers: (target: DeploymentTarget) =>
    `${consumersPrefix(target.workspace, target.environment)}${target.appKind}/${part(target.appId)}.json`,
  consumersPrefix,
  /** One empty marker per run of a target, so a resumed run can tell whether another ran since. */
  targetRun: (target: DeploymentTarget, runId: string) =>
    `${targetRunsPrefix(target)}${runId}.json`,
  targetRunsPrefix,
  /**
   * Where the run markers of a workspace (or of one of its environments, or of every workspace)
   * are listed from: the index `list` reads instead of every key under `runs/`.
   */
  targetRunMarkersPrefix: (workspace?: string, environment?: string) =>
    workspace === undefined
      ? 'history/'
      : environment === undefined
        ? `history/${part(workspace)}/`
        : `history/${part(workspace)}/${part(environment)}/`,
  /** A shared value of the workspace (environment undefined) or of one environment. */
  sharedValue: (workspace: string, environment: string | undefined, key: string) =>
    `${sharedValuesPrefix(workspace, environment)}${part(key)}.json`,
  sharedValuesPrefix,
  /** A Connection Interface Type kept in the workspace (CLI `types put`). */
  connectionInterfaceType: (workspace: string, name: string) =>
    `${connectionInterfaceTypesPrefix(workspace)}${part(name)}.json`,
  connectionInterfaceTypesPrefix,
  /**
   * Which repository an application (or shared infra) of the workspace is deployed from (see
   * AppBindingStore): one per id, whatever the environment.
   */
  appBinding: (workspace: string, appKind: string, appId: string) =>
    `workspaces/${part(workspace)}/_all/applications/${appKind}/${part(appId)}.json`,
  /** Every record of the deployment history of a workspace, all environments. */
  historyPrefix: (workspace: string) => `history/${part(workspace)}/`,
  lastDeployment: (target: DeploymentTarget) => `history/${targetPath(target)}/last.json`,
  versionDeployment: (target: DeploymentTarget, version: string) =>
    `history/${targetPath(target)}/versions/${part(version)}.json`,
  versionsPrefix: (target: DeploymentTarget) => `history/${targetPath(target)}/versions/`,
  /**
   * Plan-only previews (PREVIEW): apart from `runs/`, so that no step that applies (runtime-tasks
   * reads plans under a run's prefix only) can take a preview's plan for a reviewed one, and one
   * lifecycle rule on `previews/` expires them all.
   */
  previewsPrefix: 'previews/',
  /** Every preview of one target. */
  targetPreviewsPrefix: (target: DeploymentTarget) => `previews/${targetPath(target)}/`,
  /** One preview's objects (its record, plan records, plan files and texts). */
  previewPrefix: (target: DeploymentTarget, previewId: string) =>
    `previews/${targetPath(target)}/${part(previewId)}/`,
  /** What a preview planned: its plugins, counts and what it could not plan (PreviewRecord). */
  preview: (target: DeploymentTarget, previewId: string) =>
    `previews/${targetPath(target)}/${part(previewId)}/preview.json`,
  /** A preview's plan record (`<name>` as a run's: `plugins/<alias>`). */
  previewPlan: (target: DeploymentTarget, previewId: string, name: string) =>
    `previews/${targetPath(target)}/${part(previewId)}/plans/${name.split('/').map(part).join('/')}.json`,
  /** A preview's raw files (`plans/<name>.tfplan`, `plans/<name>.txt`), as a run's `files/`. */
  previewFile: (target: DeploymentTarget, previewId: string, name: string) =>
    `previews/${targetPath(target)}/${part(previewId)}/files/${name.split('/').map(part).join('/')}`,
};
