/**
 * `deploy-engine plugins publish|list|show`: the plugin registry of an IaC bucket (see
 * packages/core/src/registry). A plugin repository publishes each version once, from a person's
 * machine or its own workflow; applications name it in stk.yaml as `studio/name@version`.
 */
import { relative, resolve } from 'node:path';
import {
  cliCommand,
  formatRef,
  PluginRegistry,
  type ObjectStore,
  type PluginRelease,
  type Publisher,
} from '@deploy-engine/core';
import { defineCommand, EXIT } from './command';
import { UsageError } from './usage-error';
import { actor, BUCKET_OPTIONS, type Args } from './options';
import { iacBucket } from './run-commands';

type Out = (line: string) => void;

export interface PluginsCommand {
  name: 'plugins';
  action: 'publish' | 'list' | 'show';
  bucket: string;
  region: string;
  /** publish: the plugin folder (holding plugin.yaml). */
  folder?: string;
  /** show: `studio/name@version`. */
  ref?: string;
  /** publish: the studio slug; list: only this studio. */
  studio?: string;
  /** publish: must equal plugin.yaml's metadata.version. */
  version?: string;
  json: boolean;
  by: string;
}

const PLUGINS_SUMMARY = `plugins publish <folder> --studio S --bucket <iac-bucket> [--version V] [--by NAME]
  plugins list [--studio S] --bucket <iac-bucket> [--json]
  plugins show <studio/name@version> --bucket <iac-bucket> [--json]
      the plugin registry of the IaC bucket: publish a version once, list, show`;

const PLUGINS_HELP = `deploy-engine plugins publish <folder> --studio S --bucket <iac-bucket> [--version V] [--region R] [--by NAME] [--json]
deploy-engine plugins list [--studio S] --bucket <iac-bucket> [--region R] [--json]
deploy-engine plugins show <studio/name@version> --bucket <iac-bucket> [--region R] [--json]

The plugin registry of an IaC bucket (keys plugins/<studio>/<name>/<version>/). orchestrate-and-plan
looks for a stk.yaml entry \`studio/name@version\` in .stk/FORKED_PLUGINS/<alias>, then
PLUGINS_PATH, then here.

  publish   stores the folder as S/<metadata.name>@<metadata.version> once: publishing the same
            files again changes nothing, other files for a published version are refused
  list      published plugins and their versions, newest first
  show      a published version: its SHA-256, who published it and when, its files

  --studio S   publish: the studio slug (the first part of studio/name@version); list: only it
  --version V  publish: must equal plugin.yaml's metadata.version
  --by NAME    publish: who publishes, outside GitHub Actions (inside: the workflow's actor)
  --json       print {"outcome", "release"} (publish), [{"studio", "name", "versions"}] (list),
               the release (show)

Exit code: 0 done; 3 show: no such version; 4 publish refused (different files, invalid folder).`;

/** Reads `plugins <action> ...`. */
export function parsePluginsArgs(args: Args): PluginsCommand {
  const action = args.positional(0, 'publish, list or show');
  if (action !== 'publish' && action !== 'list' && action !== 'show')
    throw new UsageError(`plugins needs publish, list or show (got '${action}').`);
  const argument =
    action === 'list'
      ? undefined
      : args.positional(
          1,
          action === 'publish' ? 'a plugin folder (e.g. .)' : 'a reference studio/name@version',
        );
  args.noMorePositionals(action === 'list' ? 1 : 2);
  const studio = action === 'publish' ? args.text('studio', true) : args.text('studio');
  const version = args.text('version');
  return {
    name: 'plugins',
    action,
    bucket: args.text('bucket', true),
    region: args.region(),
    ...(action === 'publish' ? { folder: argument } : {}),
    ...(action === 'show' ? { ref: argument } : {}),
    ...(studio ? { studio } : {}),
    ...(version ? { version } : {}),
    json: args.flag('json'),
    by: actor(args.text('by')),
  };
}

export const pluginsCommand = defineCommand({
  name: 'plugins',
  summary: PLUGINS_SUMMARY,
  help: PLUGINS_HELP,
  options: { ...BUCKET_OPTIONS, studio: 'value', version: 'value', by: 'value', json: 'boolean' },
  parse: parsePluginsArgs,
  run: (command, io) =>
    runPlugins(command, iacBucket(command.bucket, command.region), (line) => io.out(line)),
});

/** Who publishes: in a GitHub workflow its actor, repository, commit and run; else --by. */
export function publisherFromEnvironment(by: string, env = process.env): Publisher {
  if (env.GITHUB_ACTIONS !== 'true') return { actor: by };
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    actor: env.GITHUB_ACTOR ?? by,
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_SHA ? { commit: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? {
          workflowRunUrl: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`,
        }
      : {}),
  };
}

/** Runs a plugins command; returns the exit code (errors are thrown, the CLI prints them). */
export async function runPlugins(
  command: PluginsCommand,
  store: ObjectStore,
  out: Out,
): Promise<number> {
  const registry = new PluginRegistry(store);
  if (command.action === 'publish') {
    const folder = resolve(command.folder ?? '.');
    const display = relative(process.cwd(), folder) || '.';
    const { outcome, release } = await registry.publish(folder, {
      studio: command.studio ?? '',
      ...(command.version ? { version: command.version } : {}),
      displayDir: display,
      publisher: publisherFromEnvironment(command.by),
    });
    if (command.json) out(JSON.stringify({ outcome, release }, null, 2));
    else if (outcome === 'unchanged')
      out(
        `${formatRef(release)} is already published with these files (sha256 ${release.digest}, by ${release.publishedBy.actor} at ${release.publishedAt}): nothing to do.`,
      );
    else
      out(
        `Published ${formatRef(release)} to ${registry.place} (sha256 ${release.digest}, ${release.files.filter((f) => f.type === 'file').length} files, ${kib(release.bytes)}). Applications name it in .stk/stk.yaml as \`name: ${formatRef(release)}\`.`,
      );
    return 0;
  }
  if (command.action === 'list') {
    const plugins = await registry.list(command.studio ? { studio: command.studio } : {});
    if (command.json) out(JSON.stringify(plugins, null, 2));
    else if (plugins.length === 0)
      out(
        `No plugin is published in ${registry.place}${command.studio ? ` for studio ${command.studio}` : ''}. Publish one with ${cliCommand('plugins', 'publish', '<folder>', '--studio', command.studio ?? '<studio>', '--bucket', command.bucket)}.`,
      );
    else {
      const width = Math.max(6, ...plugins.map((p) => `${p.studio}/${p.name}`.length));
      out(`${'PLUGIN'.padEnd(width)}  VERSIONS (newest first)`);
      for (const p of plugins)
        out(`${`${p.studio}/${p.name}`.padEnd(width)}  ${p.versions.join(', ')}`);
    }
    return 0;
  }
  const ref = parseRegistryRef(command.ref ?? '');
  const release = await registry.show(ref);
  if (!release) {
    const versions = await registry.versions(ref.studio, ref.name);
    out(
      `${formatRef(ref)} is not published in ${registry.place}.${versions.length > 0 ? ` Published versions: ${versions.join(', ')}.` : ''}`,
    );
    return EXIT.NOT_FOUND;
  }
  out(command.json ? JSON.stringify(release, null, 2) : formatRelease(release));
  return 0;
}

/** `studio/name@version` (a stack segment, as stk.yaml may hold, is left out). */
function parseRegistryRef(text: string): { studio: string; name: string; version: string } {
  const parts = text.split('/');
  const match = /^([^@/\s]+)@([^@/\s]+)$/.exec(parts.at(-1) ?? '');
  if (parts.length < 2 || !parts[0] || !match)
    throw new UsageError(
      `'${text}' is not a plugin reference: expected studio/name@version, e.g. acme/queue@1.0.0.`,
    );
  return { studio: parts[0], name: match[1] as string, version: match[2] as string };
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function formatRelease(release: PluginRelease): string {
  const by = release.publishedBy;
  const from = [
    by.repository,
    by.commit ? `commit ${by.commit.slice(0, 12)}` : undefined,
    by.workflowRunUrl,
  ].filter(Boolean);
  return [
    `${formatRef(release)}  sha256 ${release.digest}`,
    `published ${release.publishedAt} by ${by.actor}${from.length > 0 ? ` (${from.join(', ')})` : ''}`,
    `${release.files.filter((f) => f.type === 'file').length} files, ${kib(release.bytes)}:`,
    ...release.files.map(
      (f) =>
        `  ${f.mode.toString(8).padStart(4, '0')}  ${f.type === 'dir' ? '     -' : String(f.bytes ?? 0).padStart(6)}  ${f.path}${f.type === 'dir' ? '/' : ''}`,
    ),
  ].join('\n');
}
