import { destroyOrder, findCycles, orderByDependencies, type GraphNode } from './ordering';

/** A small deterministic PRNG (mulberry32), so property runs are reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random DAG: node i may depend only on nodes created before it, then shuffled. */
function randomDag(random: () => number, size: number): GraphNode[] {
  const nodes: GraphNode[] = Array.from({ length: size }, (_, i) => ({
    alias: `n${i}`,
    dependsOn: Array.from({ length: i }, (_, j) => `n${j}`).filter(() => random() < 0.15),
  }));
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j] as GraphNode, nodes[i] as GraphNode];
  }
  return nodes;
}

function order(nodes: GraphNode[]): string[] {
  const result = orderByDependencies(nodes);
  if (!result.ok) throw new Error('unexpected cycle');
  return result.order;
}

describe('orderByDependencies', () => {
  it('respects every edge of 200 random DAGs', () => {
    const random = rng(42);
    for (let run = 0; run < 200; run++) {
      const nodes = randomDag(random, 1 + Math.floor(random() * 30));
      const result = order(nodes);
      expect(new Set(result).size).toBe(nodes.length);
      const at = new Map(result.map((a, i) => [a, i]));
      for (const node of nodes) {
        for (const producer of node.dependsOn)
          expect(at.get(producer)).toBeLessThan(at.get(node.alias) as number);
      }
    }
  });

  it('keeps file order among independent plugins', () => {
    const nodes = ['e', 'b', 'd', 'a', 'c'].map((alias) => ({ alias, dependsOn: [] }));
    expect(order(nodes)).toEqual(['e', 'b', 'd', 'a', 'c']);
  });

  it('is stable: reordering independent entries only reorders them', () => {
    const random = rng(7);
    for (let run = 0; run < 100; run++) {
      const nodes = randomDag(random, 12);
      const independent = nodes.filter(
        (n) => n.dependsOn.length === 0 && !nodes.some((m) => m.dependsOn.includes(n.alias)),
      );
      if (independent.length < 2) continue;
      const swapped = [...nodes];
      const i = swapped.indexOf(independent[0] as GraphNode);
      const j = swapped.indexOf(independent[1] as GraphNode);
      [swapped[i], swapped[j]] = [swapped[j] as GraphNode, swapped[i] as GraphNode];
      const without = (list: string[]) =>
        list.filter((a) => a !== independent[0]?.alias && a !== independent[1]?.alias);
      expect(without(order(swapped))).toEqual(without(order(nodes)));
    }
  });

  it('puts a producer listed after its consumer first, and nothing else moves', () => {
    expect(
      order([
        { alias: 'x', dependsOn: [] },
        { alias: 'consumer', dependsOn: ['producer'] },
        { alias: 'y', dependsOn: [] },
        { alias: 'producer', dependsOn: [] },
      ]),
    ).toEqual(['x', 'y', 'producer', 'consumer']);
  });

  it('names every plugin of every cycle, and only those', () => {
    const result = orderByDependencies([
      { alias: 'ok', dependsOn: [] },
      { alias: 'a', dependsOn: ['c'] },
      { alias: 'b', dependsOn: ['a'] },
      { alias: 'c', dependsOn: ['b'] },
      { alias: 'after', dependsOn: ['c'] },
      { alias: 'self', dependsOn: ['self'] },
    ]);
    expect(result).toEqual({ ok: false, cycles: [['a', 'b', 'c'], ['self']] });
  });

  it('finds no cycle in a DAG', () => {
    expect(findCycles(randomDag(rng(3), 20))).toEqual([]);
  });
});

describe('destroyOrder', () => {
  it('destroys consumers before the producers they required', () => {
    expect(
      destroyOrder([
        { alias: 'base', dependsOn: [] },
        { alias: 'mid', dependsOn: ['base'] },
        { alias: 'leaf', dependsOn: ['mid'] },
      ]),
    ).toEqual(['leaf', 'mid', 'base']);
  });
});
