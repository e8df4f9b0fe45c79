/**
 * Who owns a Connection Interface instance: the application (or shared infra) that first generated
 * it. Only the owner may publish it again or remove it; another application generating the same
 * name is refused, so it can never point the owner's consumers at its own values. The name is
 * free again once the owner removed it (a destroy of the producing plugin deletes the instance).
 */
import { ConfigurationError, type SourceLocation } from '../errors';
import type { ConnectionInterfaceInstance, InterfaceOwner } from './connection-interface';
import type { DeploymentTarget } from '../target';

/**
 * The owner of a stored instance. Instances written before owners existed have none: they belong
 * to their recorded producer, which is who wrote them last (README: Connection Interfaces belong to
 * the application that generated them).
 */
export function ownerOf(instance: ConnectionInterfaceInstance): InterfaceOwner {
  if (instance.owner) return instance.owner;
  const { appKind, appId, appName } = instance.producer;
  return { appKind, appId, appName, since: instance.updatedAt };
}

/** Whether `owner` is this application (kind and id; names may change). */
export function ownedBy(
  owner: Pick<InterfaceOwner, 'appKind' | 'appId'>,
  target: Pick<DeploymentTarget, 'appKind' | 'appId'>,
): boolean {
  return owner.appKind === target.appKind && owner.appId === target.appId;
}

/** `app:orders (01J…, repository acme/orders)`, for refusals. */
export function describeOwner(owner: {
  appKind: string;
  appName: string;
  appId: string;
  repository?: string;
}): string {
  return `${owner.appKind}:${owner.appName} (${owner.appId}${owner.repository ? `, repository ${owner.repository}` : ''})`;
}

/** The refusal of an application generating an instance another one owns. */
export function ownedElsewhereError(
  name: string,
  owner: InterfaceOwner,
  target: DeploymentTarget,
  when: string,
  location?: SourceLocation,
): ConfigurationError {
  return new ConfigurationError({
    message: `Connection Interface ${name} in ${target.workspace}/${target.environment} belongs to ${describeOwner(owner)} (since ${owner.since}); ${describeOwner(target)} generates an interface of the same name. ${when}`,
    ...(location ? { location } : {}),
    hint: `Give the generated connection another name (its \`selected\` in stk.yaml), or have ${owner.appKind}:${owner.appName} remove it first (destroying the plugin that generates it frees the name).`,
  });
}
