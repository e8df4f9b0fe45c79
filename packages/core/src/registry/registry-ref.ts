/**
 * How the plugin registry names a published version (`studio/name@version`), which names it
 * accepts, and how versions sort. Where it keeps them: ../bucket-layout/registry-keys.ts (docs/bucket-layout.md).
 */
import type { RegistryRef } from '../bucket-layout';
import { ConfigurationError, type SourceLocation } from '../errors';

/** StackSpot studio slugs and plugin names: letters, digits, `.`, `_`, `-` (a plugin name: 60 at most). */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/;
/** Semantic versioning 2.0 (StackSpot asks for it too). */
const VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** `studio/name@version`. */
export function formatRef(ref: RegistryRef): string {
  return `${ref.studio}/${ref.name}@${ref.version}`;
}

/** How messages name a registry plugin's folder (its files are `registry:<ref>/<path>`). */
export function registryDisplayDir(ref: RegistryRef): string {
  return `registry:${formatRef(ref)}`;
}

/** Whether the names could have been published (a name from stk.yaml that could not is never fetched). */
export function isPublishableRef(ref: RegistryRef): boolean {
  return (
    NAME.test(ref.studio) &&
    NAME.test(ref.name) &&
    ref.name.length <= 60 &&
    VERSION.test(ref.version)
  );
}

/** Throws a ConfigurationError when a name cannot be published (it must round-trip through stk.yaml). */
export function checkPublishableRef(ref: RegistryRef, where: SourceLocation): void {
  const problems = [
    ...(NAME.test(ref.studio)
      ? []
      : [
          {
            message: `Studio '${ref.studio}' cannot name a published plugin: use letters, digits, '.', '_' and '-' (at most 100, starting and ending with a letter or digit).`,
            location: where,
            hint: 'Give the studio slug with --studio, as StackSpot names it (`stk publish plugin --studio <slug>`).',
          },
        ]),
    ...(NAME.test(ref.name) && ref.name.length <= 60
      ? []
      : [
          {
            message: `Plugin name '${ref.name}' cannot be published: use letters, digits, '.', '_' and '-' (at most 60).`,
            location: where,
          },
        ]),
    ...(VERSION.test(ref.version)
      ? []
      : [
          {
            message: `Version '${ref.version}' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0).`,
            location: where,
            hint: 'Set metadata.version in plugin.yaml to a semantic version.',
          },
        ]),
  ];
  if (problems.length > 0)
    throw new ConfigurationError(problems, `${formatRef(ref)} cannot be published`);
}

/** Newest first: semantic versions by precedence, anything else after them, by text. */
export function compareVersionsDescending(a: string, b: string): number {
  const pa = VERSION.exec(a);
  const pb = VERSION.exec(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : b.localeCompare(a);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pb[i]) - Number(pa[i]);
    if (d !== 0) return d;
  }
  const preA = pa[4];
  const preB = pb[4];
  // A pre-release comes before its release.
  if (preA === undefined || preB === undefined)
    return preA === preB ? 0 : preA === undefined ? -1 : 1;
  const xs = preA.split('.');
  const ys = preB.split('.');
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const x = xs[i];
    const y = ys[i];
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(y) - Number(x);
    if (nx !== ny) return nx ? 1 : -1;
    return y < x ? -1 : 1;
  }
  return 0;
}
