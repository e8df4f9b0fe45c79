/**
 * What a deploy leaves for others: the `<alias>_<BASE_PATH_OUTPUT>` file in the checkout
 * (sensitive values left out) and the Connection Interfaces the plugin generates, published in
 * the workspace context; and what a destroy takes away: the Connection Interfaces of a removed
 * plugin.
 */
import type { Logger } from '../logging';
import type { Manifest, ManifestPlugin } from '../manifest';
import type { OutputValue } from '../terraform';
import type { WorkspaceContextStore } from '../workspace';
import { checkOutputTarget, writeOutputFile } from './output-file';
import { publishConnections } from './publish-connections';
import type { SecretMasker } from './secret-masker';

export class OutputPublisher {
  constructor(
    private readonly deps: { context: WorkspaceContextStore; logger: Logger },
    private readonly manifest: Manifest,
    private readonly runId: string,
    private readonly options: { outputDir: string; outputFileSuffix: string },
    private readonly masker: SecretMasker,
  ) {}

  /** The output file of plugin `alias`, relative to the output folder. */
  fileName(alias: string): string {
    return `${alias}_${this.options.outputFileSuffix}`;
  }

  /** Refuses an output file that could not be written, before anything is applied. */
  async checkTarget(alias: string): Promise<void> {
    await checkOutputTarget(this.options.outputDir, this.fileName(alias));
  }

  /**
   * Writes `<alias>_<BASE_PATH_OUTPUT>` (sensitive values left out) and publishes the Connection
   * Interfaces the plugin generates; returns the file name.
   */
  async publish(plugin: ManifestPlugin, outputs: Record<string, OutputValue>): Promise<string> {
    const outputFile = this.fileName(plugin.alias);
    await writeOutputFile(
      this.options.outputDir,
      outputFile,
      `${JSON.stringify(publicOutputs(outputs), null, 2)}\n`,
    );
    const published = await publishConnections(this.deps, this.manifest, plugin, outputs, {
      runId: this.runId,
      mask: (value) => this.masker.mask(value),
    });
    if (published.length > 0) {
      this.deps.logger.info(
        `Published Connection Interface(s): ${published.map((i) => `${i.name} (${i.type}${i.secretAttributes ? `; secret: ${i.secretAttributes.join(', ')}` : ''})`).join(', ')}.`,
      );
    }
    return outputFile;
  }

  /** Deletes the Connection Interfaces a removed plugin generated. */
  async removeConnections(removed: ManifestPlugin): Promise<void> {
    const names = removed.generates.map((g) => g.name);
    if (names.length === 0) return;
    const foreign = await this.deps.context.removeOwned(this.manifest.target, names);
    const gone = names.filter((n) => !foreign.includes(n));
    if (gone.length > 0)
      this.deps.logger.info(`Removed Connection Interface(s): ${gone.join(', ')}.`);
    if (foreign.length > 0)
      this.deps.logger.warning(
        `Left in place: Connection Interface(s) ${foreign.join(', ')}, which another application owns now.`,
      );
  }
}

/** Output values for the outputs file: sensitive ones are never written to disk. */
export function publicOutputs(outputs: Record<string, OutputValue>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, o]) => [name, o.sensitive ? '(sensitive)' : o.value]),
  );
}
