/**
 * Runs a built action bundle exactly as the GitHub runner does: INPUT_* variables from `with:` plus
 * the action.yml defaults (with `${{ github.* }}` expressions evaluated), the GITHUB_* files and
 * variables, RUNNER_TEMP, cwd = the workspace. Parses outputs, state, the job summary and the
 * workflow commands back, and shows the log as the runner would (secrets masked).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readActionMetadata } from './action-metadata';

export interface RunActionOptions {
  /** The step's `with:` values. */
  with?: Record<string, string>;
  /** The repository checkout (GITHUB_WORKSPACE and cwd). A fresh empty folder by default. */
  workspace?: string;
  /** Extra environment variables (AWS_ENDPOINT_URL_S3, ...). */
  env?: Record<string, string>;
  /** Kills the step after this long (ms). */
  timeoutMs?: number;
  /** Sends SIGINT after this long (ms), then SIGTERM 7.5 s later, as the runner does on cancel. */
  cancelAfterMs?: number;
  /** `main` (default) or `post`. */
  script?: 'main' | 'post';
  /** State saved by the main step (for the post step). */
  state?: Record<string, string>;
  /** The triggering event (default: push, with only the repository in its payload). */
  event?: { name: string; payload: Record<string, unknown> };
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: Record<string, string>;
}

export interface ActionResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Raw stdout, including workflow commands. */
  stdout: string;
  stderr: string;
  /** The log as shown by the runner: workflow commands consumed, registered secrets masked. */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Values registered with ::add-mask::. */
  masks: string[];
  /** RUNNER_TEMP of the step, to inspect files left behind. */
  runnerTemp: string;
  workspace: string;
}

/** The GitHub context values `${{ github.* }}` defaults may use. */
function githubContext(workspace: string): Record<string, string> {
  return {
    workspace,
    repository: 'acme/orders',
    repository_owner: 'acme',
    run_id: '4242',
    run_attempt: '1',
    server_url: 'https://github.com',
    sha: '0123456789abcdef0123456789abcdef01234567',
    ref_name: 'main',
    ref: 'refs/heads/main',
    actor: 'octocat',
    workflow: 'deploy',
    job: 'deploy',
    event_name: 'push',
    // What the runner gives `${{ github.token }}`: a fake installation token, masked like a real one.
    token: 'ghs_harnessFakeToken000000000000000000',
  };
}

function evaluateDefault(value: string, github: Record<string, string>): string {
  return value.replace(/\$\{\{\s*github\.([a-z_]+)\s*\}\}/g, (whole, key: string) => {
    const known = github[key];
    if (known === undefined)
      throw new Error(`harness: unsupported expression ${whole} in action.yml default`);
    return known;
  });
}

export async function runAction(id: string, options: RunActionOptions = {}): Promise<ActionResult> {
  const metadata = readActionMetadata(id);
  const base = mkdtempSync(join(tmpdir(), `gha-${id}-`));
  const workspace = resolve(options.workspace ?? join(base, 'workspace'));
  mkdirSync(workspace, { recursive: true });
  const runnerTemp = join(base, 'runner-temp');
  mkdirSync(runnerTemp);
  const files = {
    GITHUB_OUTPUT: join(base, 'output'),
    GITHUB_ENV: join(base, 'env'),
    GITHUB_STATE: join(base, 'state'),
    GITHUB_PATH: join(base, 'path'),
    GITHUB_STEP_SUMMARY: join(base, 'summary.md'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const eventPath = join(base, 'event.json');
  writeFileSync(
    eventPath,
    JSON.stringify({
      repository: { name: 'orders', full_name: 'acme/orders' },
      ...(options.event?.payload ?? {}),
    }),
  );

  const github = githubContext(workspace);
  if (options.event) github.event_name = options.event.name;
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(metadata.inputs)) {
    if (spec.default !== undefined) inputs[name] = evaluateDefault(String(spec.default), github);
  }
  for (const [name, value] of Object.entries(options.with ?? {})) inputs[name] = value;

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: github.repository as string,
    GITHUB_REPOSITORY_OWNER: github.repository_owner as string,
    GITHUB_RUN_ID: github.run_id as string,
    GITHUB_RUN_ATTEMPT: github.run_attempt as string,
    GITHUB_SERVER_URL: github.server_url as string,
    GITHUB_SHA: github.sha as string,
    GITHUB_REF: github.ref as string,
    GITHUB_REF_NAME: github.ref_name as string,
    GITHUB_ACTOR: github.actor as string,
    GITHUB_WORKFLOW: github.workflow as string,
    GITHUB_JOB: github.job as string,
    GITHUB_EVENT_NAME: github.event_name as string,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_ACTION_PATH: metadata.dir,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ...files,
    ...(options.env ?? {}),
  };
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const script = options.script === 'post' ? metadata.runs.post : metadata.runs.main;
  if (!script) throw new Error(`harness: action ${id} has no ${options.script ?? 'main'} script`);
  const entry = resolve(metadata.dir, script);

  const child = spawn(process.execPath, [entry], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timers: NodeJS.Timeout[] = [];
  if (options.cancelAfterMs !== undefined) {
    timers.push(
      setTimeout(() => {
        child.kill('SIGINT');
        timers.push(setTimeout(() => child.kill('SIGTERM'), 7500));
        timers.push(setTimeout(() => child.kill('SIGKILL'), 10000));
      }, options.cancelAfterMs),
    );
  }
  if (options.timeoutMs !== undefined)
    timers.push(setTimeout(() => child.kill('SIGKILL'), options.timeoutMs));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (code, sig) => done([code, sig])),
  );
  timers.forEach(clearTimeout);

  const commands = parseWorkflowCommands(stdout);
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    log: commands.log,
    outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8')),
    exportedEnv: parseFileCommand(readFileSync(files.GITHUB_ENV, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: commands.annotations,
    masks: commands.masks,
    runnerTemp,
    workspace,
  };
}

/** Parses `name=value` lines and `name<<DELIM ... DELIM` blocks, as the runner does. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      if (i >= lines.length) throw new Error(`harness: unterminated ${name}<<${delimiter} block`);
      result[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq < 0) throw new Error(`harness: malformed file command line: ${line}`);
      result[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return result;
}

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(value: string): string {
  return unescapeData(value).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** Consumes `::cmd props::data` lines; returns the masked log, annotations and masks. */
export function parseWorkflowCommands(stdout: string): {
  log: string;
  annotations: Annotation[];
  masks: string[];
} {
  const masks: string[] = [];
  const annotations: Annotation[] = [];
  const shown: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) {
      shown.push(line);
      continue;
    }
    const [, command, rawProps, rawData] = match as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    const data = unescapeData(rawData);
    const properties: Record<string, string> = {};
    for (const pair of (rawProps ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    if (command === 'add-mask') masks.push(data);
    else if (command === 'error' || command === 'warning' || command === 'notice') {
      annotations.push({ level: command, message: data, properties });
      shown.push(
        `${command === 'notice' ? 'Notice' : command === 'error' ? 'Error' : 'Warning'}: ${data}`,
      );
    } else if (command === 'group') shown.push(`▸ ${data}`);
    else if (command === 'endgroup') continue;
    else if (command === 'debug') continue;
    else shown.push(line);
  }
  let log = shown.join('\n');
  for (const mask of [...masks].sort((a, b) => b.length - a.length)) {
    if (mask) log = log.split(mask).join('***');
  }
  for (const annotation of annotations) {
    for (const mask of masks)
      if (mask) annotation.message = annotation.message.split(mask).join('***');
  }
  return { log, annotations, masks };
}
