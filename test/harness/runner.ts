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
  /** The same cancel, once this promise resolves (e.g. when a task is seen running). */
  cancelWhen?: Promise<unknown>;
  /** Called with the step's process id once it started (a test that kills it like a lost runner). */
  onSpawn?: (pid: number) => void;
  /** `main` (default) or `post`. */
  script?: 'main' | 'post';
  /** State saved by the main step (for the post step). */
  state?: Record<string, string>;
  /** The triggering event (default: push, with only the repository in its payload). */
  event?: { name: string; payload: Record<string, unknown> };
  /**
   * GitHub context values to use instead of the harness defaults (run_id, run_attempt, workflow,
   * job, ...): a workflow harness gives each workflow run and job its own. Sets GITHUB_* alike.
   */
  github?: Record<string, string>;
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
  /** Whether the step was cancelled (SIGINT sent) before it ended. */
  cancelSent: boolean;
  /** RUNNER_TEMP of the step, to inspect files left behind. */
  runnerTemp: string;
  workspace: string;
}

/** The GitHub context values `${{ github.* }}` defaults may use. */
export function githubContext(workspace: string): Record<string, string> {
  return {
    workspace,
    repository: 'acme/orders',
    repository_owner: 'acme',
    run_id: '4242',
    run_attempt: '1',
    server_url: 'https://github.com',
    // Never GitHub itself: a loopback port nothing listens on, unless a test starts a fake API
    // (github-api.ts) and passes its url as env.GITHUB_API_URL.
    api_url: 'http://127.0.0.1:9',
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

  const github: Record<string, string> = {
    ...githubContext(workspace),
    ...(options.github ?? {}),
    workspace,
  };
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
    GITHUB_API_URL: github.api_url as string,
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
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timers: NodeJS.Timeout[] = [];
  let exited = false;
  let cancelSent = false;
  const cancel = (): void => {
    if (exited) return;
    cancelSent = true;
    child.kill('SIGINT');
    timers.push(setTimeout(() => child.kill('SIGTERM'), 7500));
    timers.push(setTimeout(() => child.kill('SIGKILL'), 10000));
  };
  if (options.cancelAfterMs !== undefined) timers.push(setTimeout(cancel, options.cancelAfterMs));
  void options.cancelWhen?.then(cancel);
  if (options.timeoutMs !== undefined)
    timers.push(setTimeout(() => child.kill('SIGKILL'), options.timeoutMs));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (code, sig) => done([code, sig])),
  );
  exited = true;
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
    cancelSent,
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

/** The commands the runner knows (it matches names ignoring case). */
const RUNNER_COMMANDS = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'warning',
];

interface ParsedCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
}

function unescapeAll(value: string, pairs: [string, string][]): string {
  let text = value;
  for (const [escaped, plain] of pairs) text = text.split(escaped).join(plain);
  return text;
}

const DATA_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
];
const PROPERTY_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];
const LEGACY_ESCAPES: [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
];

/** ActionCommand.TryParseV2: `::name props::data`, after leading white space. */
function parseV2(line: string, known: Set<string>): ParsedCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!known.has(command.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1)
        properties[pair.slice(0, eq)] = unescapeAll(pair.slice(eq + 1), PROPERTY_ESCAPES);
    }
  }
  return { command, properties, data: unescapeAll(message.slice(end + 2), DATA_ESCAPES) };
}

/** ActionCommand.TryParse, the legacy form: `##[name props]data` anywhere in the line. */
function parseLegacy(line: string, known: Set<string>): ParsedCommand | undefined {
  const start = line.indexOf('##[');
  if (start < 0) return undefined;
  const close = line.indexOf(']', start);
  if (close < 0) return undefined;
  const info = line.slice(start + 3, close);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!known.has(command.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1)
        properties[pair.slice(0, eq)] = unescapeAll(pair.slice(eq + 1), LEGACY_ESCAPES);
    }
  }
  return { command, properties, data: unescapeAll(line.slice(close + 1), LEGACY_ESCAPES) };
}

/**
 * The forms the runner masks for each registered value (HostContext's value encoders): base64 at
 * three byte offsets (padded), JSON- and URI-escaped (Uri.EscapeDataString), XML-escaped,
 * expression-escaped, and the value without surrounding double quotes.
 */
function runnerMaskForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const shifted = (n: number) => (bytes.length > n ? bytes.subarray(n) : bytes).toString('base64');
  const uri = encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const xml = value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  const trimmed =
    value.length > 8 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : '';
  return [
    value,
    shifted(0),
    shifted(1),
    shifted(2),
    value.replace(/'/g, "''"),
    JSON.stringify(value).slice(1, -1),
    uri,
    xml,
    trimmed,
  ].filter((form) => form !== '');
}

/**
 * Reads stdout as the runner does: line by line (\n, \r\n or \r end a line), each line a
 * workflow command or shown. Between `::stop-commands::<token>` and `::<token>::` no command is
 * processed (the lines are shown as they are); both lines are shown too. Returns the log as
 * shown, masked as the runner masks (see runnerMaskForms), the annotations and the masks.
 */
export function parseWorkflowCommands(stdout: string): {
  log: string;
  annotations: Annotation[];
  masks: string[];
} {
  const masks: string[] = [];
  const annotations: Annotation[] = [];
  const shown: string[] = [];
  const known = new Set([...RUNNER_COMMANDS, 'stop-commands']);
  let stopToken: string | undefined;
  for (const line of stdout.split(/\r\n|\n|\r/)) {
    const parsed = parseV2(line, known) ?? parseLegacy(line, known);
    if (!parsed) {
      shown.push(line);
      continue;
    }
    const command = parsed.command.toLowerCase();
    if (stopToken !== undefined) {
      // Stopped: only the token resumes; every other command-like line is plain text.
      if (command === stopToken.toLowerCase()) {
        known.delete(stopToken.toLowerCase());
        stopToken = undefined;
      }
      shown.push(line);
      continue;
    }
    const { data, properties } = parsed;
    if (command === 'stop-commands') {
      if (data === '' || known.has(data.toLowerCase()) || data.toLowerCase() === 'pause-logging')
        throw new Error(`harness: invalid stop-commands token '${data}'`);
      stopToken = data;
      known.add(data.toLowerCase());
      shown.push(line);
    } else if (command === 'add-mask') masks.push(data);
    else if (command === 'error' || command === 'warning' || command === 'notice') {
      annotations.push({ level: command, message: data, properties });
      shown.push(
        `${command === 'notice' ? 'Notice' : command === 'error' ? 'Error' : 'Warning'}: ${data}`,
      );
    } else if (command === 'group') shown.push(`▸ ${data}`);
    else if (command === 'endgroup' || command === 'debug') continue;
    else shown.push(line);
  }
  const forms = [...new Set(masks.filter((m) => m.trim() !== '').flatMap(runnerMaskForms))].sort(
    (a, b) => b.length - a.length,
  );
  const mask = (text: string): string =>
    forms.reduce((masked, form) => masked.split(form).join('***'), text);
  for (const annotation of annotations) annotation.message = mask(annotation.message);
  return { log: mask(shown.join('\n')), annotations, masks };
}
