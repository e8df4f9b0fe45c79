import type { PlanRecord } from '../deployment/saved-plans';
import { ConfigurationError } from '../errors';
import { MemoryLogger } from '../logging';
import type { TerraformProject } from '../terraform';
import { applyTakenOver, continuesPlannedState } from './taken-over-apply';
import type { TaskContext } from './task-context';

const from = { id: 'W1', description: 'job deploy-1', joinedAt: 'then', host: 'runner-1' };

const record = {
  name: 'plugins/db',
  alias: 'db',
  kind: 'deploy',
  state: null,
  changes: [
    { address: 'aws_db_instance.main', alias: '', action: 'create' },
    { address: 'aws_route53_record.db', alias: '', action: 'create' },
  ],
} as unknown as PlanRecord;

const show = (changes: [string, string[]][]) =>
  JSON.stringify({
    resource_changes: changes.map(([address, actions]) => ({ address, change: { actions } })),
  });

function fixture(planned: string) {
  const applied: string[] = [];
  const checked: string[] = [];
  const terraform = {
    plan: jest.fn(async () => undefined),
    show: jest.fn(async () => planned),
    applyPlan: jest.fn(async (file: string) => {
      applied.push(file);
      return { added: 1, changed: 0, destroyed: 0 };
    }),
  } as unknown as TerraformProject;
  const logger = new MemoryLogger();
  const context = {
    logger,
    policy: {
      enforce: async (json: string) => {
        checked.push(json);
      },
    },
  } as unknown as TaskContext;
  const run = () =>
    applyTakenOver(context, terraform, {
      dir: '/tmp/x',
      record,
      moved: 'a state was created (serial 1)',
      from,
    });
  return { run, applied, checked, logger };
}

describe('a DEPLOY taken over after the lost worker wrote part of the state', () => {
  it('applies the new plan when it only does what is left of the review, policy-checked, and says so', async () => {
    const json = show([
      ['aws_db_instance.main', ['no-op']],
      ['aws_route53_record.db', ['create']],
    ]);
    const { run, applied, checked, logger } = fixture(json);
    expect((await run()).use).toEqual({ kind: 'remainder', from: 'W1', done: 1, remaining: 1 });
    expect(applied).toEqual(['/tmp/x/remainder.tfplan']);
    expect(checked).toEqual([json]);
    expect(logger.entries.map((e) => e.message).join('\n')).toContain(
      'db was taken over from worker W1 (job deploy-1, host runner-1), whose Terraform had written its state before it was lost (a state was created (serial 1)): 1 of 2 reviewed change(s) were already applied (aws_db_instance.main); planned again, applying the remaining 1 (aws_route53_record.db).',
    );
  });

  it('refuses, applying nothing, a new plan that touches a resource the review did not', async () => {
    const { run, applied, checked } = fixture(
      show([
        ['aws_route53_record.db', ['create']],
        ['aws_s3_bucket.backups', ['delete']],
      ]),
    );
    const refusal = run();
    await expect(refusal).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refusal).rejects.toThrow(
      /taken over from worker W1[\s\S]*aws_s3_bucket\.backups: the new plan would delete it, but the reviewed plan left it unchanged[\s\S]*Nothing more was applied to db/,
    );
    expect(applied).toEqual([]);
    expect(checked).toEqual([]);
  });

  it('a destroy plans the destroy again with the reviewed targets and applies what is left of it', async () => {
    const plan = jest.fn(async () => undefined);
    const terraform = {
      plan,
      show: async () => show([['aws_s3_bucket.logs', ['delete']]]),
      applyPlan: async () => ({ added: 0, changed: 0, destroyed: 1 }),
    } as unknown as TerraformProject;
    const destroyRecord = {
      ...record,
      name: 'plugins/db/destroy',
      kind: 'destroy',
      targets: ['module.db'],
      changes: [
        { address: 'aws_s3_bucket.data', alias: '', action: 'delete' },
        { address: 'aws_s3_bucket.logs', alias: '', action: 'delete' },
      ],
    } as unknown as PlanRecord;
    const context = { logger: new MemoryLogger() } as unknown as TaskContext;
    const done = await applyTakenOver(context, terraform, {
      dir: '/tmp/x',
      record: destroyRecord,
      moved: 'the state was written 1 time(s) (serial 3 → 4)',
      from,
    });
    expect(plan).toHaveBeenCalledWith({
      out: '/tmp/x/remainder.tfplan',
      destroy: true,
      targets: ['module.db'],
    });
    expect(done.use).toEqual({ kind: 'remainder', from: 'W1', done: 1, remaining: 1 });
  });

  it('only a state an apply could have left continues the planned one', () => {
    const v = (lineage: string, serial: number) => ({ lineage, serial });
    expect(continuesPlannedState(null, v('L', 1))).toBe(true);
    expect(continuesPlannedState(v('L', 3), v('L', 4))).toBe(true);
    expect(continuesPlannedState(v('L', 3), v('M', 4))).toBe(false);
    expect(continuesPlannedState(v('L', 3), v('L', 2))).toBe(false);
    expect(continuesPlannedState(v('L', 3), null)).toBe(false);
  });
});
