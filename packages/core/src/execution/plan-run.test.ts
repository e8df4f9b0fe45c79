import type { Manifest } from '../manifest';
import type { PlanRecord } from '../deployment/saved-plans';
import { planHasChanges, plannedFate, type PlannedState } from './plan-run';

const manifest = { destroy: [] } as unknown as Manifest;
const plan = (hasChanges: boolean) => ({ hasChanges }) as PlanRecord;

const planned: PlannedState = {
  status: 'RUNNING',
  failed: false,
  changes: true,
  skipDeploy: false,
  cancelled: false,
};

describe('planHasChanges', () => {
  it('is false only when every plan changes nothing, nothing is destroyed and everything was planned', () => {
    expect(planHasChanges(manifest, [plan(false), plan(false)], [])).toBe(false);
    expect(planHasChanges(manifest, [plan(false), plan(true)], [])).toBe(true);
    expect(planHasChanges(manifest, [plan(false)], [{ alias: 'q', reason: 'r' }])).toBe(true);
    const removing = { destroy: [{ alias: 'old' }] } as unknown as Manifest;
    expect(planHasChanges(removing, [plan(false)], [])).toBe(true);
  });
});

describe('plannedFate', () => {
  it('ends SKIPPED only with SKIP_DEPLOY and plans that change nothing', () => {
    expect(plannedFate({ ...planned, skipDeploy: true, changes: false })).toBe('SKIPPED');
    expect(plannedFate({ ...planned, skipDeploy: false, changes: false })).toBe('AS_IS');
    expect(plannedFate({ ...planned, skipDeploy: true, changes: true })).toBe('AS_IS');
    // A failed planning task closed the run already: its failure stands.
    expect(plannedFate({ ...planned, skipDeploy: true, changes: false, failed: true })).toBe(
      'AS_IS',
    );
  });

  it('ends ABORTED when the job was cancelled after the plans, while the run is still open', () => {
    expect(plannedFate({ ...planned, cancelled: true })).toBe('ABORTED');
    expect(plannedFate({ ...planned, cancelled: true, failed: true })).toBe('AS_IS');
    expect(plannedFate({ ...planned, cancelled: true, status: 'SKIPPED' })).toBe('AS_IS');
    // Skipped wins: nothing is left to approve, so there is nothing to abort.
    expect(plannedFate({ ...planned, cancelled: true, skipDeploy: true, changes: false })).toBe(
      'SKIPPED',
    );
  });

  it('leaves a run whose plans change something open for the approval job', () => {
    expect(plannedFate({ ...planned, skipDeploy: true })).toBe('AS_IS');
  });
});
