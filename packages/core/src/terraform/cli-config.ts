/**
 * The Terraform CLI configuration every command of ours runs with: the runner's own (its provider
 * network mirror, private registry credentials, ...), with the step's provider mirror as the first
 * place providers are installed from, and without a `plugin_cache_dir` (Terraform's cache is not
 * safe for inits running at once; the mirror replaces it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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

/** The values of `token = "..."` in the configuration (registry credentials), to mask. */
export function cliConfigSecrets(text: string): string[] {
  return [...text.matchAll(/^\s*token\s*=\s*"([^"]+)"/gm)].map((m) => m[1] as string);
}

const PROVIDER_INSTALLATION = /^[ \t]*provider_installation[ \t]*\{/m;
const PLUGIN_CACHE_DIR = /^[ \t]*plugin_cache_dir[ \t]*=.*$/gm;

export interface CliConfigFile {
  /** `terraformrc`, or `terraformrc.json` for a runner configuration in JSON (kept as it is). */
  name: string;
  text: string;
}

/**
 * The configuration to write for Terraform: the runner's with `mirrorDir` put first among the
 * provider installation methods (with none of the runner's: before direct installation). A JSON
 * configuration is kept as it is, without the mirror.
 */
export function cliConfig(
  runner: RunnerCliConfig | undefined,
  mirrorDir: string | undefined,
): CliConfigFile {
  if (runner?.path.endsWith('.json')) return { name: 'terraformrc.json', text: runner.text };
  let text = (runner?.text ?? '').replace(
    PLUGIN_CACHE_DIR,
    '# plugin_cache_dir left out: the step has its own provider mirror',
  );
  if (mirrorDir !== undefined) {
    const mirror = `\n  filesystem_mirror {\n    path = ${JSON.stringify(mirrorDir)}\n  }\n`;
    if (PROVIDER_INSTALLATION.test(text)) {
      text = text.replace(PROVIDER_INSTALLATION, (opening) => `${opening}${mirror}`);
    } else {
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      text = `${text}${separator}provider_installation {${mirror}  direct {}\n}\n`;
    }
  }
  return { name: 'terraformrc', text };
}
