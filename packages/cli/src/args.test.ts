import { parseArgs, parseInvocation } from './args';

const ULID = '01J9V6MWFTWQ392331QBCS46KQ';

describe('parseArgs', () => {
  it('reads status with --watch and an interval', () => {
    expect(parseArgs(['status', `${ULID}@iac`, '--watch', '--interval', '2'])).toEqual({
      name: 'status',
      ref: { runId: ULID, bucket: 'iac', region: 'us-east-1' },
      watch: true,
      intervalMs: 2000,
      json: false,
    });
  });

  it('reads the bare run id of the log line with --bucket and --region', () => {
    expect(
      parseArgs(['status', ULID, '--bucket', 'acme-iac', '--region', 'sa-east-1']),
    ).toMatchObject({ ref: { runId: ULID, bucket: 'acme-iac', region: 'sa-east-1' } });
    expect(parseArgs(['status', ULID, '--bucket=acme-iac'])).toMatchObject({
      ref: { runId: ULID, bucket: 'acme-iac' },
    });
    expect(() => parseArgs(['status', ULID])).toThrow(
      `status: run ${ULID} is a bare id: add --bucket <iac-bucket>`,
    );
    expect(() => parseArgs(['status', `${ULID}@iac`, '--bucket', 'other'])).toThrow(
      /--bucket other contradicts the run id, whose bucket is iac/,
    );
    expect(() => parseArgs(['status', 'not-a-run'])).toThrow(/'not-a-run' is not a run id/);
    expect(() => parseArgs(['unlock-state', ULID, '--state', 'b/k', '--lock-id', 'L'])).toThrow(
      /is a bare id: add --bucket/,
    );
  });

  it('reads list filters', () => {
    expect(
      parseArgs([
        'list',
        '--bucket',
        'iac',
        '--workspace',
        'shop',
        '--limit',
        '5',
        '--region',
        'sa-east-1',
      ]),
    ).toEqual({
      name: 'list',
      bucket: 'iac',
      region: 'sa-east-1',
      workspace: 'shop',
      limit: 5,
      json: false,
    });
    expect(() => parseArgs(['list', '--bucket', 'iac', '--limit', 'ten'])).toThrow(
      '--limit must be a positive whole number.',
    );
  });

  it('needs every part of the target to unlock, and --yes to do it', () => {
    expect(() => parseArgs(['unlock', '--bucket', 'iac', '--workspace', 'shop'])).toThrow(
      /unlock needs --environment <value>/,
    );
    expect(
      parseArgs([
        'unlock',
        '--bucket',
        'iac',
        '--workspace',
        'w',
        '--environment',
        'e',
        '--app-id',
        'A',
      ]),
    ).toMatchObject({ appKind: 'app', yes: false });
  });

  it('reads the workspace commands; a value left off the command line comes from stdin', () => {
    const where = ['--bucket', 'iac', '--workspace', 'shop'];
    expect(parseArgs(['values', 'set', 'API_KEY', '--secret', ...where, '--by', 'ann'])).toEqual({
      name: 'values',
      action: 'set',
      bucket: 'iac',
      region: expect.any(String),
      workspace: 'shop',
      key: 'API_KEY',
      secret: true,
      json: false,
      by: 'ann',
    });
    expect(
      parseArgs(['values', 'set', 'PREFIX', 'acme', ...where, '--environment', 'dev']),
    ).toMatchObject({
      key: 'PREFIX',
      value: 'acme',
      environment: 'dev',
      secret: false,
    });
    expect(() => parseArgs(['values', 'show', ...where])).toThrow(/values show needs a KEY/);
    expect(() => parseArgs(['values', 'purge', ...where])).toThrow(
      /values needs set, list, show or delete/,
    );
    expect(parseArgs(['values', 'list', ...where, '--json'])).toMatchObject({ json: true });
    expect(parseArgs(['types', 'put', 'type.yaml', ...where])).toMatchObject({
      action: 'put',
      argument: 'type.yaml',
    });
    expect(parseArgs(['workspace', ...where, '--environment', 'dev', '--mermaid'])).toMatchObject({
      name: 'workspace',
      environment: 'dev',
      mermaid: true,
    });
    expect(() =>
      parseArgs(['workspace', ...where, '--environment', 'dev', '--mermaid', '--json']),
    ).toThrow('workspace takes --mermaid or --json, not both.');
  });

  it('explains unknown commands, unknown options, stray arguments and missing values', () => {
    expect(() => parseArgs(['deploy'])).toThrow("unknown command 'deploy'.");
    expect(() => parseArgs(['status'])).toThrow(/status needs a RUN_ID/);
    expect(() => parseArgs(['list', '--bucket'])).toThrow(/list needs --bucket <value>/);
    expect(() => parseArgs(['list', '--bucket', 'iac', '--workspce', 'shop'])).toThrow(
      'list has no option --workspce.',
    );
    expect(() => parseArgs(['list', '--bucket', 'iac', 'shop'])).toThrow(
      "list: unexpected argument 'shop'.",
    );
    expect(() => parseArgs(['list', '--bucket', 'iac', '--json=yes'])).toThrow(
      '--json takes no value.',
    );
    expect(parseArgs([])).toEqual({ name: 'help' });
  });

  it('reads apps takeover with the repository it moves to, and needs it', () => {
    const base = ['--bucket', 'iac', '--workspace', 'shop', '--region', 'us-east-1'];
    expect(
      parseArgs(['apps', 'takeover', '01JAPP', '--repository', 'acme/new', '--by', 'ann', ...base]),
    ).toEqual({
      name: 'apps',
      action: 'takeover',
      bucket: 'iac',
      region: 'us-east-1',
      workspace: 'shop',
      appKind: 'app',
      appId: '01JAPP',
      repository: 'acme/new',
      by: 'ann',
      json: false,
    });
    expect(() => parseArgs(['apps', 'takeover', '01JAPP', ...base])).toThrow(
      /apps needs --repository <value>/,
    );
    expect(() => parseArgs(['apps', 'show', ...base])).toThrow(/apps show needs an APP_ID/);
  });
});

describe('parseInvocation', () => {
  it('answers --help, -h and help <command> anywhere on the line, and --version', () => {
    expect(parseInvocation(['--help'])).toEqual({ kind: 'help' });
    expect(parseInvocation(['help', 'values'])).toMatchObject({
      kind: 'help',
      command: { name: 'values' },
    });
    // Help wins over a command line that is otherwise wrong.
    expect(parseInvocation(['status', '-h'])).toMatchObject({
      kind: 'help',
      command: { name: 'status' },
    });
    expect(parseInvocation(['values', 'set', '--help'])).toMatchObject({
      command: { name: 'values' },
    });
    expect(parseInvocation(['--version'])).toEqual({ kind: 'version' });
    expect(() => parseInvocation(['--verbose'])).toThrow('unknown option --verbose.');
  });
});
