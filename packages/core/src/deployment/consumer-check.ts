import { ConfigurationError } from '../errors';
import type { Manifest } from '../manifest';
import { describeConsumer, requirementsOf, type Consumer } from '../workspace';
import type { BucketStores } from './bucket-stores';

/**
 * What the run destroys must not be required by anything that stays: a plugin of this run or an
 * application of the workspace and environment. Refused naming every consumer, unless forced
 * (FORCE_DESTROY): then they are returned, and named in a warning.
 */
export async function checkConsumers(
  deps: Pick<BucketStores, 'consumers' | 'logger'>,
  manifest: Manifest,
  force: boolean,
): Promise<Consumer[]> {
  const { target } = manifest;
  const names = new Set(manifest.destroy.flatMap((p) => p.generates.map((g) => g.name)));
  if (names.size === 0) return [];
  const inRun: Consumer[] = requirementsOf(manifest.plugins)
    .filter((r) => names.has(r.name))
    .map((r) => ({ ...r, target }));
  const elsewhere = await deps.consumers.consumersOf(
    target.workspace,
    target.environment,
    names,
    target,
  );
  const consumers = [...inRun, ...elsewhere];
  if (consumers.length === 0) return [];
  const destroyed = manifest.destroy.filter((p) =>
    p.generates.some((g) => consumers.some((c) => c.name === g.name)),
  );
  const what = `${destroyed.map((p) => p.alias).join(', ')} generate${destroyed.length === 1 ? 's' : ''} Connection Interface(s) that ${consumers.length} plugin input(s) still require`;
  if (!force) {
    throw new ConfigurationError(
      [
        ...consumers.map((c) => ({ message: `Still required by ${describeConsumer(c)}.` })),
        {
          message: 'Nothing was changed and no run was opened.',
          hint: 'Remove or change those consumers first (deploy them without the requirement), or set FORCE_DESTROY: true to destroy anyway: they keep running with values that no longer exist.',
        },
      ],
      `This run would destroy what others still use: ${what}`,
    );
  }
  deps.logger.warning(
    `FORCE_DESTROY is on: destroying although ${what}: ${consumers.map(describeConsumer).join('; ')}.`,
  );
  return consumers;
}
