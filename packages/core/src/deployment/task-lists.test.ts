import { planClassicTasks, planUnifiedTasks } from './task-lists';

describe('planClassicTasks', () => {
  it('plans every plugin deployed or destroyed first, then IAC and DEPLOY of each in dependency order, then destroys', () => {
    expect(planClassicTasks(['topic', 'queue'], ['old-consumer', 'old-producer'])).toEqual([
      { taskType: 'PLAN', pluginAppliedAlias: 'topic' },
      { taskType: 'PLAN', pluginAppliedAlias: 'queue' },
      { taskType: 'PLAN', pluginAppliedAlias: 'old-consumer' },
      { taskType: 'PLAN', pluginAppliedAlias: 'old-producer' },
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'queue' },
      { taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'queue' },
      { taskType: 'DESTROY_SELF_HOSTED', pluginAppliedAlias: 'old-consumer' },
      { taskType: 'DESTROY_SELF_HOSTED', pluginAppliedAlias: 'old-producer' },
    ]);
  });

  it('gives nothing to do for nothing', () => {
    expect(planClassicTasks([], [])).toEqual([]);
  });

  it('refuses an alias both deployed and destroyed', () => {
    expect(() => planClassicTasks(['a'], ['a'])).toThrow(/alias a appears twice/);
  });
});

describe('planUnifiedTasks', () => {
  it('renders and plans the run, then deploys what stays and destroys what left', () => {
    expect(planUnifiedTasks(['a'], ['gone']).map((t) => t.taskType)).toEqual([
      'UNIFIED_IAC',
      'PLAN',
      'UNIFIED_DEPLOY',
      'UNIFIED_DESTROY',
    ]);
    expect(planUnifiedTasks([], ['gone']).map((t) => t.taskType)).toEqual([
      'UNIFIED_IAC',
      'PLAN',
      'UNIFIED_DESTROY',
    ]);
  });

  it('gives nothing to do for nothing', () => {
    expect(planUnifiedTasks([], [])).toEqual([]);
  });
});
