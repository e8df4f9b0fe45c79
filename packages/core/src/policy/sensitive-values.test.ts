import { sensitiveValues } from './sensitive-values';

describe('sensitiveValues', () => {
  it('finds the values Terraform marks sensitive, wherever the plan prints them', () => {
    const plan = {
      variables: { db_password: { value: 'var-secret-1' }, region: { value: 'us-east-1' } },
      configuration: {
        root_module: { variables: { db_password: { sensitive: true }, region: {} } },
      },
      resource_changes: [
        {
          address: 'terraform_data.x',
          change: {
            before: { input: 'old-secret-2', other: 'plain-text' },
            before_sensitive: { input: true },
            after: { input: { nested: ['list-secret-3', 'open'] }, other: 'plain-text' },
            after_sensitive: { input: { nested: [true, false] } },
          },
        },
      ],
      planned_values: {
        outputs: { token: { sensitive: true, value: 'output-secret-4' }, id: { value: 'open-id' } },
        root_module: {
          resources: [
            { values: { key: 'state-secret-5', name: 'n' }, sensitive_values: { key: true } },
          ],
        },
      },
    };
    expect(sensitiveValues(JSON.stringify(plan)).sort()).toEqual(
      ['list-secret-3', 'old-secret-2', 'output-secret-4', 'state-secret-5', 'var-secret-1'].sort(),
    );
  });

  it('takes a whole sensitive object, its strings and its JSON; skips short values and bad JSON', () => {
    const plan = {
      resource_changes: [
        {
          change: {
            after: { tags: { Owner: 'team-secret', x: 'ab' } },
            after_sensitive: { tags: true },
          },
        },
      ],
    };
    expect(sensitiveValues(JSON.stringify(plan))).toEqual([
      '{"Owner":"team-secret","x":"ab"}',
      'team-secret',
    ]);
    expect(sensitiveValues('not json')).toEqual([]);
  });
});
