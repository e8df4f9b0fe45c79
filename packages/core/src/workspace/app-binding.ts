/**
 * Which repository an application (or shared infra) id belongs to in a workspace: the one that
 * first deployed it. Another repository using the same id is refused before any lock or plan
 * (see deployment/repository-binding.ts), unless a person moves the id with the CLI
 * (`apps takeover`), which is recorded with who and when.
 */
import { ConfigurationError } from '../errors';
import { keys } from '../bucket-layout';
import { PreconditionFailedError, type ObjectStore, type StoredJson } from '../store';
import type { AppKind, DeploymentTarget } from '../target';

/** Where a run comes from: the repository (owner/name) and workflow that started it. */
export interface DeployingRepository {
  repository: string;
  /** The workflow file (`.github/workflows/deploy.yml`), when known. */
  workflow?: string;
  /** `github`: GITHUB_REPOSITORY and GITHUB_WORKFLOW_REF; `input`: REPOSITORY_NAME; `default`. */
  source: 'github' | 'input' | 'default';
}

/** Repository names as GitHub spells them: `owner/name`. */
export const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\/[A-Za-z0-9._-]{1,100}$/;

export interface AppBindingChange {
  at: string;
  /** A person (takeover) or the workflow run that bound it. */
  by: string;
  repository: string;
  workflow?: string;
  how: 'first-run' | 'adopted' | 'takeover';
  /** takeover: the repository it was taken from. */
  from?: string;
}

export interface AppBinding {
  workspace: string;
  appKind: AppKind;
  appId: string;
  /** `metadata.name` when it was bound, for messages. */
  appName: string;
  repository: string;
  workflow?: string;
  updatedAt: string;
  /** Every binding and takeover, oldest first. */
  history: AppBindingChange[];
}

export class AppBindingStore {
  constructor(private readonly store: ObjectStore) {}

  /** The IaC bucket, for the commands messages print. */
  get bucket(): string {
    return this.store.bucket;
  }

  async get(
    workspace: string,
    appKind: AppKind,
    appId: string,
  ): Promise<StoredJson<AppBinding> | undefined> {
    return this.store.getJson<AppBinding>(keys.appBinding(workspace, appKind, appId));
  }

  /**
   * Binds an unbound id to `from` (If-None-Match). Returns the binding that stands: ours, or the
   * one another repository wrote first (the caller compares).
   */
  async bind(
    target: DeploymentTarget,
    from: DeployingRepository,
    change: { by: string; how: 'first-run' | 'adopted'; now?: Date },
  ): Promise<AppBinding> {
    const at = (change.now ?? new Date()).toISOString();
    const binding: AppBinding = {
      workspace: target.workspace,
      appKind: target.appKind,
      appId: target.appId,
      appName: target.appName,
      repository: from.repository,
      ...(from.workflow ? { workflow: from.workflow } : {}),
      updatedAt: at,
      history: [
        {
          at,
          by: change.by,
          repository: from.repository,
          ...(from.workflow ? { workflow: from.workflow } : {}),
          how: change.how,
        },
      ],
    };
    const key = keys.appBinding(target.workspace, target.appKind, target.appId);
    try {
      await this.store.putJson(key, binding, { ifNoneMatch: '*' });
      return binding;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const winner = await this.store.getJson<AppBinding>(key);
      if (!winner) throw error;
      return winner.value;
    }
  }

  /**
   * Moves an id to another repository (a person's decision, CLI `apps takeover`): a conditional
   * replace of the binding read, keeping its history. Returns the binding replaced, if any.
   */
  async takeover(
    scope: { workspace: string; appKind: AppKind; appId: string },
    to: { repository: string; workflow?: string },
    change: { by: string; now?: Date },
  ): Promise<{ before?: AppBinding; after: AppBinding }> {
    if (!REPOSITORY_NAME.test(to.repository)) {
      throw new ConfigurationError({
        message: `'${to.repository.slice(0, 120)}' is not a repository name.`,
        hint: 'Write it as GitHub does: owner/name.',
      });
    }
    const key = keys.appBinding(scope.workspace, scope.appKind, scope.appId);
    const current = await this.store.getJson<AppBinding>(key);
    const at = (change.now ?? new Date()).toISOString();
    const after: AppBinding = {
      workspace: scope.workspace,
      appKind: scope.appKind,
      appId: scope.appId,
      appName: current?.value.appName ?? scope.appId,
      repository: to.repository,
      ...(to.workflow ? { workflow: to.workflow } : {}),
      updatedAt: at,
      history: [
        ...(current?.value.history ?? []),
        {
          at,
          by: change.by,
          repository: to.repository,
          ...(to.workflow ? { workflow: to.workflow } : {}),
          how: 'takeover',
          ...(current ? { from: current.value.repository } : {}),
        },
      ],
    };
    try {
      await this.store.putJson(
        key,
        after,
        current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
      );
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      throw new ConfigurationError({
        message: `The binding of ${scope.appKind} ${scope.appId} in workspace ${scope.workspace} changed while it was being taken over.`,
        hint: 'Look at it again (apps show) and repeat the takeover if it is still wanted.',
      });
    }
    return { ...(current ? { before: current.value } : {}), after };
  }
}
