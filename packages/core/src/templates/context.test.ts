import { buildTemplateContext, templateNameCollisions } from './context';
import { renderTemplateString } from './render-string';

const source = {
  connections: { db: { url: 'postgres://db' } },
  environment: 'prod',
  workspace: 'payments',
  alias: 'orders',
  version: 'v2',
  appKind: 'app' as const,
  appId: '01JAPP',
};

function render(template: string, inputs: Record<string, unknown>): string {
  const result = renderTemplateString(template, buildTemplateContext({ ...source, inputs }), 'f');
  if (!result.ok) throw new Error(result.problem.message);
  return result.text;
}

describe('the template context', () => {
  it("gives StackSpot's stk_env, bare and under inputs, with the deployment's environment", () => {
    expect(render('{{ stk_env }}/{{ inputs.stk_env }}/{{ environment }}', {})).toBe(
      'prod/prod/prod',
    );
  });

  it("lets an input win over the engine's own names, which stay reachable under deploy_engine", () => {
    const inputs = { environment: 'blue', alias: 'mine', connections: 'text' };
    expect(
      render(
        '{{ environment }} {{ inputs.environment }} {{ alias }} {{ connections }} | {{ deploy_engine.environment }} {{ deploy_engine.alias }} {{ deploy_engine.connections.db.url }}',
        inputs,
      ),
    ).toBe('blue blue mine text | prod orders postgres://db');
    expect(templateNameCollisions(inputs)).toEqual([
      expect.objectContaining({
        input: 'environment',
        wins: 'input',
        message: expect.stringContaining('{{ deploy_engine.environment }}'),
      }),
      expect.objectContaining({ input: 'alias', wins: 'input' }),
      expect.objectContaining({ input: 'connections', wins: 'input' }),
    ]);
  });

  it("keeps StackSpot's meaning for inputs, var and stk_env, whatever the inputs are called", () => {
    const inputs = {
      stk_env: 'not-the-env',
      var: 'x',
      inputs: 'y',
      deploy_engine: 'z',
      region: 'r',
    };
    expect(
      render(
        '{{ stk_env }} {{ inputs.stk_env }} {{ inputs.region }} {{ deploy_engine.workspace }}',
        inputs,
      ),
    ).toBe('prod prod r payments');
    expect(templateNameCollisions(inputs).map((c) => [c.input, c.wins])).toEqual([
      ['stk_env', 'stackspot'],
      ['var', 'stackspot'],
      ['inputs', 'stackspot'],
      ['deploy_engine', 'stackspot'],
    ]);
  });

  it('has no collision for ordinary input names', () => {
    expect(templateNameCollisions({ region: 'x', queue_name: 'y' })).toEqual([]);
  });
});
