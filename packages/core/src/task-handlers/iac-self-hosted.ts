/**
 * IAC_SELF_HOSTED (classic mode, after approval): renders one plugin's templates-deploy with its
 * inputs and the live Connection Interface values, and stores the rendered IaC with the run. A
 * dependent's IAC waits for its producers' DEPLOY, whose real output values it needs.
 */
import type { PluginTaskHandler } from './task-handler';
import { infraPlugin } from './task-handler';

export const iacSelfHosted: PluginTaskHandler = {
  type: 'IAC_SELF_HOSTED',
  scope: 'plugin',
  phase: 'apply',
  mode: 'classic',
  listed: { stage: 1, for: 'kept' },
  label: 'IAC',
  waits: (task, graph) =>
    graph
      .dependsOn(task.pluginAppliedAlias ?? '')
      .flatMap((producer) => graph.find('DEPLOY_SELF_HOSTED', producer) ?? []),
  async execute(context, alias) {
    const project = await context.renderer.render(infraPlugin(context, alias));
    await context.iac.store(alias, project);
    context.logger.info(
      `Rendered ${project.files.length} file(s) of ${alias} (digest ${project.digest.slice(0, 12)}).`,
    );
    return {};
  },
};
