/**
 * Ordering plugins by their connections: producers before consumers, and among plugins with no
 * dependency between them, file order. Pure functions over plain data.
 */

export interface GraphNode {
  alias: string;
  /** Aliases this node depends on (its producers). */
  dependsOn: readonly string[];
}

export type OrderResult = { ok: true; order: string[] } | { ok: false; cycles: string[][] };

/**
 * Kahn's algorithm that always takes the earliest ready node in the given order, so independent
 * plugins keep their file order and the result is stable. Dependencies on unknown aliases are
 * ignored (they are not in this graph).
 */
export function orderByDependencies(nodes: readonly GraphNode[]): OrderResult {
  const index = new Map(nodes.map((n, i) => [n.alias, i]));
  const remaining = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const node of nodes) {
    const producers = [...new Set(node.dependsOn)].filter((p) => index.has(p));
    remaining.set(node.alias, producers.length);
    for (const p of producers) consumers.set(p, [...(consumers.get(p) ?? []), node.alias]);
  }
  const ready = nodes.filter((n) => remaining.get(n.alias) === 0).map((n) => n.alias);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (index.get(a) as number) - (index.get(b) as number));
    const next = ready.shift() as string;
    order.push(next);
    for (const consumer of consumers.get(next) ?? []) {
      const left = (remaining.get(consumer) as number) - 1;
      remaining.set(consumer, left);
      if (left === 0) ready.push(consumer);
    }
  }
  if (order.length === nodes.length) return { ok: true, order };
  return { ok: false, cycles: findCycles(nodes.filter((n) => !order.includes(n.alias))) };
}

/** The strongly connected components that are cycles (Tarjan), each in file order. */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const position = new Map(nodes.map((n, i) => [n.alias, i]));
  const edges = new Map(nodes.map((n) => [n.alias, n.dependsOn.filter((d) => position.has(d))]));
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    indexOf.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && (edges.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) {
        cycles.push(
          component.sort((a, b) => (position.get(a) as number) - (position.get(b) as number)),
        );
      }
    }
  };
  for (const node of nodes) if (!indexOf.has(node.alias)) visit(node.alias);
  return cycles.sort(
    (a, b) => (position.get(a[0] as string) as number) - (position.get(b[0] as string) as number),
  );
}

/** Destroy order: consumers before the producers they required (the reverse of deploy order). */
export function destroyOrder(nodes: readonly GraphNode[]): string[] {
  const result = orderByDependencies(nodes);
  // The removed plugins come from a manifest that was already ordered, so a cycle cannot occur;
  // should stored data be corrupt, fall back to the reverse of their stored order.
  return result.ok ? [...result.order].reverse() : nodes.map((n) => n.alias).reverse();
}

/** The nodes themselves (plugins, say) in destroy order. */
export function inDestroyOrder<T extends GraphNode>(nodes: readonly T[]): T[] {
  const byAlias = new Map(nodes.map((n) => [n.alias, n]));
  return destroyOrder(nodes).map((alias) => byAlias.get(alias) as T);
}
