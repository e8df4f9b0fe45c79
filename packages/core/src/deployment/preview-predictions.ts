/**
 * A preview plans every plugin before anything is applied, so a consumer whose producer is new (or
 * changed) in the preview has no published Connection Interface to render with. Terraform often
 * knows the producer's outputs at plan time (`planned_values.outputs` of `terraform show -json`):
 * they are mapped to the Connection Interfaces the producer would publish, the way publishing maps
 * applied outputs (mapOutputsToConnections), and the consumer is planned with them. An output
 * Terraform knows only after apply makes the consumer "planned after merge", with that reason.
 */
import { secretAttributes, type ConnectionInterfaceType } from '../connection-types';
import type { ManifestPlugin } from '../manifest';
import type { DeploymentTarget } from '../target';
import { WorkspaceContextStore, type ConnectionInterfaceInstance } from '../workspace';
import type { ObjectStore } from '../store';
import { mapOutputsToConnections, type TerraformOutputValue } from './connection-outputs';

/** One root output as a plan predicts it: known (with its value) or known only after apply. */
export type PlannedOutput = { known: true; value: unknown; sensitive: boolean } | { known: false };

/** The root outputs a saved plan predicts, from its `terraform show -json`. */
export function plannedOutputs(showJson: string): Record<string, PlannedOutput> {
  const plan = JSON.parse(showJson) as {
    planned_values?: { outputs?: Record<string, { value?: unknown; sensitive?: boolean }> };
    output_changes?: Record<string, { after_unknown?: unknown }>;
  };
  const outputs: Record<string, PlannedOutput> = {};
  for (const [name, output] of Object.entries(plan.planned_values?.outputs ?? {})) {
    const unknown = plan.output_changes?.[name]?.after_unknown === true;
    outputs[name] =
      unknown || !('value' in output)
        ? { known: false }
        : { known: true, value: output.value, sensitive: output.sensitive === true };
  }
  return outputs;
}

/** What a producer's plan predicts of the Connection Interfaces it generates. */
export interface PredictedConnections {
  /** Fully known instances, as the producer would publish them (secret attributes listed). */
  instances: ConnectionInterfaceInstance[];
  /** Instance name → why it cannot be predicted (an attribute known only after apply). */
  unknown: Record<string, string>;
}

/** Maps a producer's planned outputs to the Connection Interfaces it generates. */
export function predictConnections(
  plugin: Pick<ManifestPlugin, 'alias' | 'generates' | 'pluginFile'>,
  outputs: Readonly<Record<string, PlannedOutput>>,
  target: DeploymentTarget,
  types: Readonly<Record<string, ConnectionInterfaceType>>,
  previewId: string,
): PredictedConnections {
  const unknown: Record<string, string> = {};
  const known: Record<string, TerraformOutputValue> = {};
  for (const [name, output] of Object.entries(outputs))
    if (output.known) known[name] = { value: output.value, sensitive: output.sensitive };
  const complete = plugin.generates.filter((g) => {
    const later = g.outputs.filter((o) => outputs[o.from]?.known === false).map((o) => o.from);
    const missing = g.outputs.filter((o) => outputs[o.from] === undefined).map((o) => o.from);
    if (later.length > 0)
      unknown[g.name] =
        `${plugin.alias}'s output(s) ${later.join(', ')} of ${g.name} are known only after apply`;
    else if (missing.length > 0)
      unknown[g.name] =
        `${plugin.alias}'s plan has no output(s) ${missing.join(', ')} for ${g.name}`;
    return later.length === 0 && missing.length === 0;
  });
  const { appKind, appId, appName } = target;
  const mapped = mapOutputsToConnections(
    complete,
    known,
    { appKind, appId, appName, alias: plugin.alias, runId: previewId },
    new Date(),
    plugin.pluginFile ?? plugin.alias,
  );
  for (const instance of mapped.instances) {
    const secret = [
      ...new Set([
        ...secretAttributes(types[instance.type]),
        ...(mapped.sensitive[instance.name] ?? []),
      ]),
    ].sort();
    if (secret.length > 0) instance.secretAttributes = secret;
  }
  return { instances: mapped.instances, unknown };
}

/**
 * The workspace context as a preview sees it: the deployed Connection Interfaces (read-only: its
 * store refuses writes) overlaid with those this preview's producers' plans predict.
 */
export class PredictedContextStore extends WorkspaceContextStore {
  private readonly predicted = new Map<string, ConnectionInterfaceInstance>();
  /** Instance name → why the preview could not predict it. */
  readonly unknown = new Map<string, string>();

  constructor(readOnly: ObjectStore) {
    super(readOnly);
  }

  /** Records what a producer's plan predicts; an unpredictable instance hides the deployed one. */
  add(prediction: PredictedConnections): void {
    for (const instance of prediction.instances) {
      this.predicted.set(instance.name, instance);
      this.unknown.delete(instance.name);
    }
    for (const [name, why] of Object.entries(prediction.unknown)) {
      this.predicted.delete(name);
      this.unknown.set(name, why);
    }
  }

  /** Whether instance `name` is one a producer's plan in this preview predicted. */
  isPredicted(name: string): boolean {
    return this.predicted.has(name);
  }

  override async get(
    workspace: string,
    environment: string,
    name: string,
  ): Promise<ConnectionInterfaceInstance | undefined> {
    if (this.unknown.has(name)) return undefined;
    return this.predicted.get(name) ?? super.get(workspace, environment, name);
  }
}
