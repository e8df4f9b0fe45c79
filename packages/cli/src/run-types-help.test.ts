import { RUN_TYPE_TABLE, type DeploymentRecord } from '@deploy-engine/core';
import { parseInvocation } from './args';
import { formatHistory } from './format';

it('status --help lists every run type of the run-type table, with what asks for it', () => {
  const invocation = parseInvocation(['status', '--help']);
  const help = invocation.kind === 'help' ? (invocation.command?.help ?? '') : '';
  for (const runType of Object.values(RUN_TYPE_TABLE))
    expect(help).toContain(`  ${runType.type.padEnd(9)} ${runType.describe} (${runType.input})`);
});

it('names a history record written before run types existed as a DEPLOY', () => {
  const last = {
    runId: 'R1',
    version: 'v1',
    finishedAt: 'T',
    manifestDigest: 'd',
    manifest: {},
    iac: {},
  } satisfies DeploymentRecord;
  expect(formatHistory(last, [])).toBe(
    'Deployed: version v1 by DEPLOY run R1 at T (classic mode).',
  );
  expect(formatHistory({ ...last, runType: 'ROLLBACK' }, [])).toContain('by ROLLBACK run R1');
});
