import { applyRegion } from './terraform-region';

describe('applyRegion', () => {
  const run = { runId: '01J9V6MWFTWQ392331QBCS46KQ', awsRegion: 'us-west-2' };

  it('applies in the region the run was planned in, when AWS_REGION is not given or the same', () => {
    expect(applyRegion('', run, 'sa-east-1')).toBe('us-west-2');
    expect(applyRegion('us-west-2', run, 'sa-east-1')).toBe('us-west-2');
  });

  it('takes the IaC bucket region for runs planned before the region was recorded (where they planned)', () => {
    expect(applyRegion('', { runId: run.runId }, 'sa-east-1')).toBe('sa-east-1');
    expect(() => applyRegion('us-west-2', { runId: run.runId }, 'sa-east-1')).toThrow(
      /planned in sa-east-1/,
    );
  });

  it('refuses another region than the planned one, naming both and what to do', () => {
    expect(() => applyRegion('eu-west-1', run, 'sa-east-1')).toThrow(
      /^Input AWS_REGION is eu-west-1, but run 01J9V6MWFTWQ392331QBCS46KQ was planned in us-west-2/,
    );
  });
});
