/**
 * How a private gitHttps module source's token reaches git (docs/actions.md#inputs-with-safety-meaning) without ever being on a
 * command line, in a file or in the logs: git's own `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
 * `GIT_CONFIG_VALUE_n` environment variables add an `http.<url>.extraHeader` for the allowed
 * prefix only, in the environment of `terraform init` alone (which is what runs git to fetch
 * modules), so nothing is left to remove afterwards. The header is what actions/checkout uses.
 */
import type { AllowedModuleSource } from './module-sources';

export interface GitCredentials {
  /** Variables for the environment of `terraform init`. */
  env: Record<string, string>;
  /** Values to mask: the tokens and the headers made of them. */
  secrets: string[];
}

/** `github.com/org` (with or without scheme, `git::` or trailing slash) as an https URL prefix. */
function urlPrefix(path: string): string {
  const bare = path
    .replace(/^git::/, '')
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return `https://${bare}/`;
}

export function gitCredentials(allowed: readonly AllowedModuleSource[]): GitCredentials {
  // Git never asks on a terminal: a missing or wrong token fails at once instead of hanging.
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  const secrets: string[] = [];
  const withToken = allowed.filter(
    (entry): entry is AllowedModuleSource & { token: string } =>
      entry.sourceType === 'gitHttps' && typeof entry.token === 'string' && entry.token !== '',
  );
  withToken.forEach((entry, index) => {
    const basic = Buffer.from(`x-access-token:${entry.token}`).toString('base64');
    env[`GIT_CONFIG_KEY_${index}`] = `http.${urlPrefix(entry.path)}.extraHeader`;
    env[`GIT_CONFIG_VALUE_${index}`] = `Authorization: Basic ${basic}`;
    secrets.push(entry.token, basic);
  });
  if (withToken.length > 0) env.GIT_CONFIG_COUNT = String(withToken.length);
  return { env, secrets };
}
