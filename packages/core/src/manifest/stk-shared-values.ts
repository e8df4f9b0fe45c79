/**
 * `{{ var.KEY }}` written in stk.yaml values (plugin inputs, inputs-envs, global-inputs): StackSpot
 * fills them from the workspace's variables when it deploys. Here they are filled from the
 * workspace's shared values before the manifest is built, and each plugin records the keys it
 * read this way next to the keys its templates read, by digest: a value changed between plan and
 * apply is refused like any other (the plugin renderer's sharedValuesFor, deployment/plugin-renderer.ts).
 *
 * Only the whole reference is replaced (the text around it is kept); anything else Jinja-like in
 * stk.yaml stays as written. A secret shared value is refused here: inputs are recorded in the
 * run, printed in plan summaries and rendered as plain text, so a secret substituted into one
 * would leave the engine's protection. Templates read secrets as `{{ var.KEY }}` instead, where
 * they stay opaque and reach Terraform as sensitive values.
 */
import type { Problem, SourceLocation } from '../errors';
import { asRecord, type Descriptor, type DescriptorPlugin, type YamlPath } from '../descriptor';
import type { ResolvedSharedValue } from '../workspace';
import { cliCommand } from '../commands';

/** `{{ var.KEY }}` or `{{var.KEY}}`, nothing else inside the braces. */
const REFERENCE = /\{\{\s*var\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface DescriptorSharedValues {
  /** The descriptor with every reference replaced by its value. */
  descriptor: Descriptor;
  /** Per plugin alias, the shared value keys its stk.yaml values read (global-inputs included). */
  keys: Map<string, string[]>;
  problems: Problem[];
}

/** Replaces every `{{ var.KEY }}` of stk.yaml values; problems name the file, line and key. */
export function resolveDescriptorSharedValues(
  descriptor: Descriptor,
  shared: Readonly<Record<string, ResolvedSharedValue>>,
  scope: { workspace: string; environment: string },
): DescriptorSharedValues {
  const problems: Problem[] = [];
  const substitute = (value: unknown, used: Set<string>, where: SourceLocation): unknown => {
    if (typeof value === 'string') return substituteText(value, used, where);
    if (Array.isArray(value)) return value.map((v) => substitute(v, used, where));
    const record = asRecord(value);
    if (!record) return value;
    return Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, substitute(v, used, where)]),
    );
  };
  const substituteText = (text: string, used: Set<string>, where: SourceLocation): unknown => {
    const whole = new RegExp(`^${REFERENCE.source}$`).exec(text);
    const read = (key: string): ResolvedSharedValue | undefined => {
      used.add(key);
      const found = Object.prototype.hasOwnProperty.call(shared, key) ? shared[key] : undefined;
      if (!found) {
        problems.push({
          message: `${where.file} reads shared value ${key} ({{ var.${key} }}), which is not set in workspace ${scope.workspace} for environment ${scope.environment}.`,
          location: where,
          hint: `Set it with \`${cliCommand('values', 'set', key, '<value>', '--bucket <iac-bucket>', `--workspace ${scope.workspace}`, `[--environment ${scope.environment}]`)}\`, or write the value itself in stk.yaml.`,
        });
      } else if (found.secret) {
        problems.push({
          message: `${where.file} reads secret shared value ${key} ({{ var.${key} }}) in an input: inputs are recorded in the run and shown in plans, so a secret cannot go there.`,
          location: where,
          hint: `Read it in the plugin's template instead ({{ var.${key} }} in templates-deploy/ prints it as a sensitive value), or store a value that is not secret.`,
        });
      } else return found;
      return undefined;
    };
    // A whole reference keeps the value's own type (a number for an int input, a list...).
    if (whole) return read(whole[1] as string)?.value ?? text;
    return text.replace(REFERENCE, (reference, key: string) => {
      const found = read(key);
      if (!found) return reference;
      return typeof found.value === 'string' ? found.value : JSON.stringify(found.value);
    });
  };

  const globalUsed = new Set<string>();
  const globalInputs = Object.fromEntries(
    Object.entries(descriptor.globalInputs).map(([name, value]) => [
      name,
      substitute(value, globalUsed, descriptor.locate(['spec', 'global-inputs', name])),
    ]),
  );
  const keys = new Map<string, string[]>();
  const plugins = descriptor.plugins.map((plugin): DescriptorPlugin => {
    // App plugins are listed, never deployed: nothing reads their values, so they stay as written.
    if (plugin.type !== 'infra') return plugin;
    const used = new Set(globalUsed);
    const at = (path: YamlPath): SourceLocation => plugin.locate(path);
    const inputs = Object.fromEntries(
      Object.entries(plugin.inputs).map(([name, value]) => [
        name,
        substitute(value, used, at(['inputs', name])),
      ]),
    );
    const inputsEnvs = Object.fromEntries(
      Object.entries(plugin.inputsEnvs).map(([name, perEnv]) => [
        name,
        Object.fromEntries(
          // Other environments' values are not this deployment's: left as written.
          Object.entries(perEnv).map(([env, value]) => [
            env,
            env === scope.environment
              ? substitute(value, used, at(['inputs-envs', name, env]))
              : value,
          ]),
        ),
      ]),
    );
    keys.set(plugin.alias, [...used].sort());
    return { ...plugin, inputs, inputsEnvs };
  });
  return { descriptor: { ...descriptor, globalInputs, plugins }, keys, problems };
}
