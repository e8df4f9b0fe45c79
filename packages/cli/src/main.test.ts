import { EXIT, type CliIo } from './command';
import { COMMANDS } from './commands';
import { main } from './main';
import { VERSION } from './version';

/** main() with its output captured; no command here reaches S3. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    terminal: { isTTY: false, columns: 80, write: (t) => out.push(t) },
    readStdin: async () => '',
    sleep: async () => undefined,
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('main', () => {
  it('prints the overview with every command and the exit codes', async () => {
    const { code, out } = await run();
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(out).toContain(`\n  ${command.name} `);
    expect(out).toContain('Exit codes:');
    expect(out).toContain('5  status: the run ended without succeeding');
  });

  it("prints one command's help, with the exit codes", async () => {
    const { code, out, err } = await run('status', '--help');
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^deploy-engine status <RUN_ID>/);
    expect(out).toContain('successfully started with ID: <ULID>');
    expect(out).toContain('Exit codes:');
    expect(out).not.toContain('deploy-engine values set');
  });

  it('has a help text for every command that names its every option', () => {
    for (const command of COMMANDS) {
      expect(command.help).toMatch(new RegExp(`^deploy-engine ${command.name}`));
      for (const option of Object.keys(command.options))
        expect([command.name, command.help]).toEqual([
          command.name,
          expect.stringContaining(`--${option}`),
        ]);
    }
  });

  it('prints the version', async () => {
    expect(await run('--version')).toEqual({
      code: 0,
      out: `deploy-engine ${VERSION}`,
      err: '',
    });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers a wrong command line with one line and a hint to --help, exit code 2', async () => {
    expect(await run('values', 'show', '--bucket', 'b', '--workspace', 'w')).toEqual({
      code: EXIT.USAGE,
      out: '',
      err: "deploy-engine values show needs a KEY.\nRun 'deploy-engine values --help' for its arguments and options.",
    });
    expect((await run('status', '--interval', '0', '01J9V6MWFTWQ392331QBCS46KQ@iac')).err).toBe(
      "deploy-engine status: --interval must be a positive number of seconds.\nRun 'deploy-engine status --help' for its arguments and options.",
    );
    expect(await run('deploy')).toEqual({
      code: EXIT.USAGE,
      out: '',
      err: "deploy-engine: unknown command 'deploy'.\nRun 'deploy-engine --help' for the list of commands.",
    });
  });

  it('answers a wrong input (a ConfigurationError) with exit code 4', async () => {
    const { code, err } = await run(
      'values',
      'set',
      'K',
      '{not json',
      '--json',
      '--bucket',
      'b',
      '--workspace',
      'w',
      '--region',
      'us-east-1',
    );
    expect(code).toBe(EXIT.REFUSED);
    expect(err).toMatch(/^deploy-engine values: --json was given, but the value is not JSON/);
  });
});
