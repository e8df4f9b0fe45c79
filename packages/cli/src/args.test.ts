import { parseArgs } from './args';

describe('parseArgs', () => {
  it('reads status with --watch and an interval', () => {
    expect(
      parseArgs(['status', '01J9V6MWFTWQ392331QBCS46KQ@iac', '--watch', '--interval', '2']),
    ).toEqual({
      name: 'status',
      runRef: '01J9V6MWFTWQ392331QBCS46KQ@iac',
      watch: true,
      intervalMs: 2000,
    });
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
    });
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
    expect(parseArgs(['types', 'put', 'type.yaml', ...where])).toMatchObject({
      action: 'put',
      argument: 'type.yaml',
    });
    expect(parseArgs(['workspace', ...where, '--environment', 'dev', '--mermaid'])).toMatchObject({
      name: 'workspace',
      environment: 'dev',
      mermaid: true,
    });
  });

  it('explains unknown commands and missing values', () => {
    expect(() => parseArgs(['deploy'])).toThrow(/Unknown command 'deploy'/);
    expect(() => parseArgs(['status'])).toThrow(/status needs a RUN_ID/);
    expect(() => parseArgs(['list', '--bucket'])).toThrow(/list needs --bucket <value>/);
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
    });
    expect(() => parseArgs(['apps', 'takeover', '01JAPP', ...base])).toThrow(
      /apps needs --repository <value>/,
    );
    expect(() => parseArgs(['apps', 'show', ...base])).toThrow(/apps show needs an APP_ID/);
  });
});
