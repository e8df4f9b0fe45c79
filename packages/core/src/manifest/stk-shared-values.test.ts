import { parseDescriptor, parseYaml } from '../descriptor';
import type { ResolvedSharedValue } from '../workspace';
import { resolveDescriptorSharedValues } from './stk-shared-values';

function descriptor(inputs: string) {
  const text = `schema-version: v3\nkind: manifest\nmetadata: { name: a }\nspec:\n  type: app\n  plugins:\n    - name: acme/p@1.0.0\n      alias: p\n      type: infra\n      inputs:\n${inputs}`;
  const parsed = parseDescriptor(parseYaml(text, '.stk/stk.yaml').yaml as never);
  if (!parsed.descriptor) throw new Error(JSON.stringify(parsed.problems));
  return parsed.descriptor;
}

const value = (v: unknown, secret = false): ResolvedSharedValue => ({
  value: v,
  secret,
  scope: 'workspace',
  revision: 1,
  updatedAt: 'now',
  updatedBy: 'me',
  digest: 'd',
});
const scope = { workspace: 'w', environment: 'dev' };

describe('resolveDescriptorSharedValues', () => {
  it('replaces whole references with the typed value and inner ones as text', () => {
    const result = resolveDescriptorSharedValues(
      descriptor(
        "        a: '{{var.N}}'\n        b: 'x-{{ var.N }}-{{var.S}}'\n        c: ['{{ var.L }}']\n        d: { e: 'y{{ var.S }}' }\n        f: '{{ var.N | upper }} {% if 1 %}{{ N }}{% endif %} {{ var.N.x }}'\n",
      ),
      { N: value(3), S: value('s'), L: value([1, 2]) },
      scope,
    );
    expect(result.problems).toEqual([]);
    expect(result.descriptor.plugins[0]?.inputs).toEqual({
      a: 3,
      b: 'x-3-s',
      c: [[1, 2]],
      d: { e: 'ys' },
      f: '{{ var.N | upper }} {% if 1 %}{{ N }}{% endif %} {{ var.N.x }}',
    });
    expect(result.keys.get('p')).toEqual(['L', 'N', 'S']);
  });

  it('substitutes once: a value that holds a reference is not read again', () => {
    const result = resolveDescriptorSharedValues(
      descriptor("        a: 'x {{ var.A }}'\n        b: '{{ var.A }}'\n"),
      { A: value('{{ var.B }}') },
      scope,
    );
    expect(result.problems).toEqual([]);
    expect(result.descriptor.plugins[0]?.inputs).toEqual({ a: 'x {{ var.B }}', b: '{{ var.B }}' });
    expect(result.keys.get('p')).toEqual(['A']);
  });

  it('leaves app plugins as written: they are not deployed', () => {
    const written = descriptor("        a: '{{ var.NOWHERE }}'\n");
    const app = {
      ...written,
      plugins: written.plugins.map((p) => ({ ...p, type: 'app' as const })),
    };
    const result = resolveDescriptorSharedValues(app, {}, scope);
    expect(result.problems).toEqual([]);
    expect(result.descriptor.plugins[0]?.inputs).toEqual({ a: '{{ var.NOWHERE }}' });
  });

  it('does not resolve keys inherited from Object.prototype', () => {
    const result = resolveDescriptorSharedValues(
      descriptor("        a: '{{ var.constructor }}'\n        b: '{{ var.__proto__ }}'\n"),
      {},
      scope,
    );
    expect(result.problems.map((p) => `${p.location?.line}`)).toEqual(['11', '12']);
  });

  it('never puts a secret value into a message', () => {
    const result = resolveDescriptorSharedValues(
      descriptor("        a: 'pre-{{ var.TOKEN }}'\n"),
      { TOKEN: value('hunter2-secret', true) },
      scope,
    );
    expect(result.problems).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain('hunter2-secret');
    expect(result.descriptor.plugins[0]?.inputs.a).toBe('pre-{{ var.TOKEN }}');
  });
});
