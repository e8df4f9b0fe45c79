/**
 * UNIFIED_IAC (unified mode; orchestrate-and-plan runs it before approval): renders each kept
 * plugin into `<alias>/` of the run's one project with its in-run connections wired through
 * Terraform, renders each removed plugin again from its last deployment, and writes the root
 * module (`stk-modules.tf`, `<alias>-outputs.tf`). In a rollback each module is taken as the
 * version rolled back to deployed it, wiring included. First of the unified chain.
 */
import { iacArtifact } from '../deployment/artifacts';
import {
  moduleFilesOf,
  rootFilesOf,
  type ModuleSnapshot,
  type UnifiedProjectSnapshot,
} from '../deployment/unified-project';
import { digestFiles } from '../templates';
import {
  checkModuleNames,
  connectionsFile,
  CONNECTIONS_FILE,
  moduleOutputs,
  wireModule,
  type UnifiedModule,
} from '../unified';
import { afterPreviousRunTask, infraPlugin, type RunTaskHandler } from './task-handler';

export const unifiedIac: RunTaskHandler = {
  type: 'UNIFIED_IAC',
  scope: 'run',
  phase: 'plan',
  mode: 'unified',
  listed: { stage: 0, for: 'run' },
  label: 'UNIFIED_IAC',
  waits: afterPreviousRunTask,
  async execute(context) {
    const { manifest, run, unified, logger } = context;
    const { runs } = context.stores;
    checkModuleNames([...unified.keptAliases, ...unified.removedAliases]);
    const files: { path: string; content: Buffer }[] = [];
    const modules: UnifiedModule[] = [];
    for (const alias of unified.keptAliases) {
      const recorded = await unified.rollbackModule(alias);
      if (recorded) {
        // A rollback deploys the module exactly as that version did, wiring included.
        await runs.putArtifact(run.runId, iacArtifact(alias), recorded);
        modules.push({ alias, inputs: recorded.inputs, outputs: recorded.outputs });
        files.push(...moduleFilesOf(alias, recorded));
        continue;
      }
      const plugin = infraPlugin(context, alias);
      const wiring = wireModule(plugin, manifest);
      const rendered = await context.renderer.render(plugin, wiring.connections);
      const moduleFiles = rendered.files.filter((f) => f.path !== CONNECTIONS_FILE);
      const variables = connectionsFile(wiring.inputs);
      if (variables) moduleFiles.push({ path: CONNECTIONS_FILE, content: Buffer.from(variables) });
      const outputs = await moduleOutputs(
        new Map(moduleFiles.map((f) => [f.path, f.content.toString('utf8')])),
      );
      const snapshot: ModuleSnapshot = {
        digest: digestFiles(moduleFiles),
        files: moduleFiles.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
        inputs: wiring.inputs,
        outputs,
      };
      await runs.putArtifact(run.runId, iacArtifact(alias), snapshot);
      modules.push({ alias, inputs: wiring.inputs, outputs });
      files.push(...moduleFiles.map((f) => ({ path: `${alias}/${f.path}`, content: f.content })));
    }
    for (const alias of unified.removedAliases) {
      const previous = await unified.lastModule(alias);
      modules.push({ alias, inputs: previous.inputs, outputs: previous.outputs });
      files.push(...moduleFilesOf(alias, previous));
      logger.info(`Rendered ${alias} again from its last deployment, to destroy it.`);
    }
    files.push(...rootFilesOf(modules));
    const project: UnifiedProjectSnapshot = {
      digest: digestFiles(files),
      files: files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
      modules,
    };
    await unified.write(files, project);
    logger.info(
      `Rendered the unified project: ${modules.length} module(s), ${files.length} file(s) (digest ${project.digest.slice(0, 12)}).`,
    );
    return {};
  },
};
