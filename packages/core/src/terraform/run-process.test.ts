import { runProcess } from './run-process';

async function run(script: string, secrets: string[] = []) {
  const lines: string[] = [];
  const result = await runProcess('sh', ['-c', script], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    onLine: (line, stream) => lines.push(`${stream}: ${line}`),
    secrets,
  });
  return { result, lines };
}

describe('runProcess', () => {
  it('streams stdout and stderr line by line, keeping blank lines and a last line without newline', async () => {
    const { result, lines } = await run(
      "echo one; sleep 0.3; echo two >&2; printf '\\n'; printf 'caf\\303'; sleep 0.2; printf '\\251 end'",
    );
    expect(result.code).toBe(0);
    // Each stream keeps its order; between the two, lines arrive as the files are read.
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual([
      'stdout: one',
      'stdout: ',
      'stdout: café end',
    ]);
    expect(lines.filter((l) => l.startsWith('stderr'))).toEqual(['stderr: two']);
    expect(result.stdout).toBe('one\n\ncafé end\n');
  });

  it('masks secrets in every line it hands on and keeps', async () => {
    const { result, lines } = await run('echo "token=s3cr3t-value here"', ['s3cr3t-value']);
    expect(lines).toEqual(['stdout: token=*** here']);
    expect(result.output).not.toContain('s3cr3t-value');
  });

  it('stops the child with SIGINT when aborted, and says so', async () => {
    const controller = new AbortController();
    const pending = runProcess('sh', ['-c', 'trap "echo stopping; exit 3" INT; sleep 5 & wait'], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      onLine: () => undefined,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    const result = await pending;
    expect(result.stoppedBy).toBe('abort');
    expect(result.output).toContain('stopping');
  });
});
