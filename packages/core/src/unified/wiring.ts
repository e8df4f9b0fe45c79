/**
 * Unified mode wires Connection Interfaces through Terraform (docs/runs-and-tasks.md#classic-and-unified-mode): when a plugin
 * requires an interface another plugin of the same run generates, its templates see each attribute
 * as a reference to a module variable (`${var.stk_conn_<name>_<attribute>}`), and the root module
 * passes the producer's module output into that variable. The whole project can then be planned
 * before anything is applied. Interfaces from outside the run stay literal values.
 */
import { ConfigurationError } from '../errors';
import type { Manifest, ManifestPlugin } from '../manifest';

export interface ModuleWiring {
  /** Module arguments: variable name -> HCL expression (`module.<producer>.<output>`). */
  inputs: Record<string, string>;
  /** What templates see under `connections`, for interfaces produced in this run. */
  connections: Record<string, Record<string, string>>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A Terraform variable name for one attribute of one interface. */
export function connectionVariable(interfaceName: string, attribute: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
  return `stk_conn_${safe(interfaceName)}__${safe(attribute)}`;
}

/** Module names are Terraform identifiers: refuse aliases that cannot be one, naming them all. */
export function checkModuleNames(aliases: readonly string[]): void {
  const bad = aliases.filter((alias) => !IDENTIFIER.test(alias));
  if (bad.length > 0) {
    throw new ConfigurationError(
      bad.map((alias) => ({
        message: `Alias '${alias}' cannot name a Terraform module in unified mode: use a letter or '_' first, then letters, digits, '_' or '-'.`,
      })),
      'Unified mode needs every infra alias to be a Terraform identifier',
    );
  }
}

/** The wiring of `plugin` to the producers of its required interfaces that are in this run. */
export function wireModule(plugin: ManifestPlugin, manifest: Manifest): ModuleWiring {
  const wiring: ModuleWiring = { inputs: {}, connections: {} };
  for (const required of plugin.requires) {
    if (required.from.kind !== 'plugin') continue;
    const producerAlias = required.from.alias;
    const producer = manifest.plugins.find((p) => p.alias === producerAlias);
    const generated = producer?.generates.find((g) => g.name === required.name);
    if (!generated) {
      throw new Error(`manifest: ${producerAlias} does not generate ${required.name}`);
    }
    const attributes: Record<string, string> = {};
    for (const { from, to } of generated.outputs) {
      const variable = connectionVariable(required.name, to);
      attributes[to] = `\${var.${variable}}`;
      wiring.inputs[variable] = `module.${producerAlias}.${from}`;
    }
    for (const key of required.keys) wiring.connections[key] = attributes;
  }
  return wiring;
}
