/**
 * The private registry tokens Terraform may be given on a runner, found so that they are masked
 * before Terraform runs: `token` values in the runner's CLI configuration (HCL, wherever they are
 * written, one line or several; JSON, at any depth), in `~/.terraform.d/credentials.tfrc.json`
 * (where `terraform login` keeps them) and in `TF_TOKEN_<host>` variables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isJsonCliConfig } from './cli-config';

/** `token = "..."` anywhere (HCL 1 also accepts the name quoted), escapes included. */
const HCL_TOKEN = /(?:\btoken|"token")\s*=\s*"((?:[^"\\\n]|\\.)*)"/g;
/** `token = <<EOT ... EOT` (a heredoc). */
const HCL_HEREDOC_TOKEN = /(?:\btoken|"token")\s*=\s*<<-?\s*(\w+)\r?\n([\s\S]*?)\r?\n\s*\1\b/g;

/** The values of `token` in a CLI configuration (HCL or JSON), to mask. */
export function cliConfigSecrets(text: string): string[] {
  const found = new Set<string>();
  const add = (value: string): void => {
    const trimmed = value.trim();
    if (trimmed !== '') found.add(trimmed);
  };
  if (isJsonCliConfig(text)) {
    try {
      collectJsonTokens(JSON.parse(text), add);
    } catch {
      // Not JSON after all (cliConfig refuses it before use): what looks like a token still is.
    }
  }
  for (const match of text.matchAll(HCL_TOKEN)) {
    const raw = match[1] as string;
    add(raw);
    add(unescape(raw));
  }
  for (const match of text.matchAll(HCL_HEREDOC_TOKEN)) add(match[2] as string);
  return [...found];
}

function unescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

function collectJsonTokens(value: unknown, add: (token: string) => void, key = ''): void {
  if (typeof value === 'string') {
    if (key.toLowerCase() === 'token') add(value);
  } else if (Array.isArray(value)) {
    value.forEach((item) => collectJsonTokens(item, add, key));
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) collectJsonTokens(item, add, name);
  }
}

/** `TF_TOKEN_<host>` variables of the runner: Terraform's registry credentials by environment. */
export function registryTokenVariables(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (/^TF_TOKEN_/i.test(name) && value) variables[name] = value;
  }
  return variables;
}

/**
 * Every registry token Terraform may read on this runner: its CLI configuration's, those of
 * `terraform login` (`credentials.tfrc.json` in Terraform's configuration folder) and the
 * `TF_TOKEN_<host>` variables.
 */
export function registryTokens(
  cliConfigText: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const stored = join(env.HOME ?? homedir(), '.terraform.d', 'credentials.tfrc.json');
  const texts = [cliConfigText ?? '', existsSync(stored) ? readFileSync(stored, 'utf8') : ''];
  return [
    ...new Set([
      ...texts.flatMap(cliConfigSecrets),
      ...Object.values(registryTokenVariables(env))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    ]),
  ];
}
