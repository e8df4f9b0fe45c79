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

  it('explains unknown commands and missing values', () => {
    expect(() => parseArgs(['deploy'])).toThrow(/Unknown command 'deploy'/);
    expect(() => parseArgs(['status'])).toThrow(/status needs a RUN_ID/);
    expect(() => parseArgs(['list', '--bucket'])).toThrow(/list needs --bucket <value>/);
    expect(parseArgs([])).toEqual({ name: 'help' });
  });
});
