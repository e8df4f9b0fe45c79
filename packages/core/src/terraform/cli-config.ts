/**
 * The Terraform CLI configuration every command of ours runs with: the runner's own (its provider
 * network mirror, private registry credentials, ...), with the step's provider mirror as the first
 * place providers are installed from, and without a `plugin_cache_dir` (Terraform's cache is not
 * safe for inits running at once; the mirror replaces it).
 *
 * It always holds an explicit `provider_installation` block: without one, Terraform also installs
 * providers from its implicit local mirror folders, among them `terraform.d/plugins` in the
 * working directory, where a plugin could ship a provider of its own that `terraform plan` would
 * then run before anyone approved anything.
 *
 * Terraform reads this file with HCL 1, which takes it as JSON when its first non-blank character
 * is `{`, whatever the file is called, and as HCL otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';

export interface RunnerCliConfig {
  path: string;
  text: string;
}

/**
 * The runner's CLI configuration: TF_CLI_CONFIG_FILE when it names a file that exists, else
 * `~/.terraformrc` when there is one (where Terraform itself looks); undefined otherwise.
 */
export function readRunnerCliConfig(
  env: NodeJS.ProcessEnv = process.env,
): RunnerCliConfig | undefined {
  const candidates = env.TF_CLI_CONFIG_FILE
    ? [env.TF_CLI_CONFIG_FILE]
    : [join(env.HOME ?? homedir(), '.terraformrc')];
  for (const path of candidates) {
    if (existsSync(path)) return { path, text: readFileSync(path, 'utf8') };
  }
  return undefined;
}

/** Whether Terraform reads `text` as JSON (HCL 1 looks at the first non-blank character). */
export function isJsonCliConfig(text: string): boolean {
  return text.trimStart().startsWith('{');
}

const PROVIDER_INSTALLATION = /^[ \t]*provider_installation[ \t]*\{/m;
const PLUGIN_CACHE_DIR = /^[ \t]*plugin_cache_dir[ \t]*=.*$/gm;

export interface CliConfigFile {
  /** `terraformrc`, or `terraformrc.json` for a runner configuration in JSON. */
  name: string;
  text: string;
}

/**
 * The configuration to write for Terraform: the runner's with `mirrorDir` put first among the
 * provider installation methods, and with `direct {}` as the only one of them when the runner's
 * has none. Throws a ConfigurationError for a JSON configuration Terraform could not read either.
 */
export function cliConfig(
  runner: RunnerCliConfig | undefined,
  mirrorDir: string | undefined,
): CliConfigFile {
  if (runner && isJsonCliConfig(runner.text))
    return { name: 'terraformrc.json', text: jsonCliConfig(runner, mirrorDir) };
  let text = (runner?.text ?? '').replace(
    PLUGIN_CACHE_DIR,
    '# plugin_cache_dir left out: the step has its own provider mirror',
  );
  const mirror =
    mirrorDir === undefined
      ? ''
      : `\n  filesystem_mirror {\n    path = ${JSON.stringify(mirrorDir)}\n  }\n`;
  if (PROVIDER_INSTALLATION.test(text)) {
    text = text.replace(PROVIDER_INSTALLATION, (opening) => `${opening}${mirror}`);
  } else {
    const separator = text === '' || text.endsWith('\n') ? '' : '\n';
    text = `${text}${separator}provider_installation {${mirror || '\n'}  direct {}\n}\n`;
  }
  return { name: 'terraformrc', text };
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON configuration, parsed and written again. HCL 1 reads a method written as a bare object
 * (`"filesystem_mirror": {"path": ...}`) as an attribute, not a block, and Terraform then falls
 * back to its implicit folders: every method is written as a list of objects, which it reads as
 * blocks (checked with Terraform 1.11).
 */
function jsonCliConfig(runner: RunnerCliConfig, mirrorDir: string | undefined): string {
  const refuse = (message: string, hint: string, line?: number): never => {
    throw new ConfigurationError({
      message,
      location: { file: runner.path, ...(line ? { line } : {}) },
      hint,
    });
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(runner.text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return refuse(
      `The runner's Terraform CLI configuration is not valid JSON (${(error as Error).message}).`,
      'Fix the file TF_CLI_CONFIG_FILE names, or write it in HCL.',
      position === undefined
        ? undefined
        : runner.text.slice(0, Number(position)).split('\n').length,
    );
  }
  if (!isObject(parsed))
    return refuse(
      "The runner's Terraform CLI configuration is JSON but not an object.",
      'Write it as {"provider_installation": {...}, "credentials": {...}}.',
    );
  const config: JsonObject = { ...parsed };
  delete config.plugin_cache_dir;
  let installation = config.provider_installation;
  if (Array.isArray(installation)) {
    if (installation.length > 1)
      refuse(
        `The runner's Terraform CLI configuration has ${installation.length} provider_installation blocks; Terraform accepts one.`,
        'Merge them into one provider_installation object.',
      );
    installation = installation[0];
  }
  if (installation !== undefined && !isObject(installation))
    refuse(
      "The runner's Terraform CLI configuration has a provider_installation that is not an object.",
      'Write it as {"provider_installation": {"network_mirror": [{"url": "..."}], "direct": [{}]}}.',
    );
  const methods: JsonObject = {};
  if (mirrorDir !== undefined) methods.filesystem_mirror = [{ path: mirrorDir }];
  const theirs = Object.entries((installation as JsonObject | undefined) ?? {});
  for (const [method, value] of theirs) {
    // dev_overrides is a map of provider to folder, not a block list: kept as it is.
    const blocks: unknown =
      method === 'dev_overrides' ? value : Array.isArray(value) ? value : [value];
    const ours: unknown = methods[method];
    methods[method] =
      Array.isArray(ours) && Array.isArray(blocks)
        ? [...(ours as unknown[]), ...(blocks as unknown[])]
        : blocks;
  }
  if (theirs.length === 0) methods.direct = [{}];
  config.provider_installation = methods;
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** What Terraform prints when its CLI configuration has errors (it then goes on without it). */
const CLI_CONFIG_BROKEN =
  'As a result of the above problems, Terraform may not behave as intended.';
const CLI_CONFIG_PROBLEMS = 'There are some problems with the CLI configuration';

/**
 * The errors Terraform found in its CLI configuration, from a command's output; undefined when it
 * found none. Terraform does not stop on them: it goes on as if there were no configuration.
 */
export function cliConfigFailure(output: string): string | undefined {
  const end = output.indexOf(CLI_CONFIG_BROKEN);
  if (end < 0) return undefined;
  const start = output.lastIndexOf(CLI_CONFIG_PROBLEMS, end);
  return output
    .slice(Math.max(start, 0), end)
    .split('\n')
    .map((line) => line.replace(/^[│╷╵\s]+/, '').trim())
    .filter((line) => line !== '' && !line.startsWith(CLI_CONFIG_PROBLEMS))
    .join(' ');
}
