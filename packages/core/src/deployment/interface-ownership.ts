/**
 * Before a run is opened: every Connection Interface the run will publish must be free or owned
 * by this application. One owned by another application is refused naming both, before anything
 * is locked or written. Publishing checks again with conditional writes (WorkspaceContextStore
 * publish), which is what settles two applications racing for a free name.
 */
import { ConfigurationError, type Problem, type SourceLocation } from '../errors';
import type { Manifest } from '../manifest';
import { ownedBy, ownedElsewhereError, ownerOf, type WorkspaceContextStore } from '../workspace';

export async function checkInterfaceOwnership(
  deps: { context: WorkspaceContextStore },
  manifest: Manifest,
  locate: (name: string) => SourceLocation | undefined = () => undefined,
): Promise<void> {
  const { target } = manifest;
  const deployed = new Set(manifest.deployOrder);
  const generated = manifest.plugins
    .filter((p) => deployed.has(p.alias))
    .flatMap((p) => p.generates.map((g) => ({ alias: p.alias, name: g.name })));
  if (generated.length === 0) return;
  const found = await deps.context.getMany(
    target.workspace,
    target.environment,
    generated.map((g) => g.name),
  );
  const problems: Problem[] = generated.flatMap(({ alias, name }) => {
    const instance = found.get(name);
    if (!instance) return [];
    const owner = ownerOf(instance);
    if (ownedBy(owner, target)) return [];
    return ownedElsewhereError(name, owner, target, `(plugin ${alias})`, locate(name)).problems;
  });
  if (problems.length > 0) {
    throw new ConfigurationError(
      problems,
      `${target.appKind}:${target.appName} generates Connection Interface(s) another application owns; nothing was locked, planned or changed`,
    );
  }
}
