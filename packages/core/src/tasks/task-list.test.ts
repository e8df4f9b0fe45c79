import { formatTaskList, parseTaskList } from './task-list';

const ulid = '01J9V6MWFTWQ392331QBCS46KQ';

describe('parseTaskList', () => {
  it('parses the JSON form and keeps order', () => {
    const raw = `[{"runTaskId":"${ulid}","taskType":"IAC_SELF_HOSTED","pluginAppliedAlias":"topic"},{"runTaskId":"b","taskType":"UNIFIED_DEPLOY","pluginAppliedAlias":null}]`;
    expect(parseTaskList(raw)).toEqual([
      { runTaskId: ulid, taskType: 'IAC_SELF_HOSTED', pluginAppliedAlias: 'topic' },
      { runTaskId: 'b', taskType: 'UNIFIED_DEPLOY', pluginAppliedAlias: null },
    ]);
  });

  it("accepts StackSpot's single-quoted form", () => {
    const raw = `[{'runTaskId': '${ulid}', 'taskType': 'DEPLOY_SELF_HOSTED', 'pluginAppliedAlias': 'billing-queue'}]`;
    expect(parseTaskList(raw)).toEqual([
      { runTaskId: ulid, taskType: 'DEPLOY_SELF_HOSTED', pluginAppliedAlias: 'billing-queue' },
    ]);
  });

  it('round-trips through formatTaskList', () => {
    const tasks = [{ runTaskId: ulid, taskType: 'PLAN' as const, pluginAppliedAlias: null }];
    expect(parseTaskList(formatTaskList(tasks))).toEqual(tasks);
  });

  it('accepts an empty list', () => {
    expect(parseTaskList('[]')).toEqual([]);
  });

  it.each([
    ['{not json', /is not valid JSON/],
    ['{"runTaskId":"a"}', /must be a JSON array/],
    ['[1]', /element 0 must be an object/],
    ['[{"taskType":"PLAN"}]', /element 0 has no runTaskId/],
    ['[{"runTaskId":"a","taskType":7}]', /element 0 has no taskType/],
    [
      '[{"runTaskId":"a","taskType":"PLAN"},{"runTaskId":"a","taskType":"PLAN"}]',
      /element 1 repeats runTaskId a/,
    ],
    [
      '[{"runTaskId":"a","taskType":"PLAN","pluginAppliedAlias":3}]',
      /pluginAppliedAlias that is not a string/,
    ],
  ])('rejects %s', (raw, message) => {
    expect(() => parseTaskList(raw)).toThrow(message);
  });
});
