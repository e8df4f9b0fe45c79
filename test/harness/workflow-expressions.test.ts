/** The expression subset of the workflow harness: GitHub's semantics, and refusal of the rest. */
import {
  evaluate,
  evaluateCondition,
  interpolate,
  type ExpressionScope,
} from './workflow-expressions';

function scope(status = { success: true, failure: false, cancelled: false }): ExpressionScope {
  return {
    contexts: {
      github: { ref: 'refs/heads/main', event: { repository: { name: 'orders' } } },
      secrets: { KEY: 'k' },
      needs: {
        plan: { result: 'success', outputs: { run_id: 'r1' } },
        apply: { result: 'failure', outputs: {} },
      },
    },
    status,
    strict: new Set(['github']),
  };
}

describe('workflow expressions', () => {
  it('reads contexts, the object filter, and compares strings ignoring case', () => {
    expect(interpolate('/w/${{ github.event.repository.name }}/x', scope())).toBe('/w/orders/x');
    expect(evaluate("contains(needs.*.result, 'FAILURE')", scope())).toBe(true);
    expect(evaluate("contains(needs.*.result, 'cancelled')", scope())).toBe(false);
    expect(evaluate("needs.plan.outputs.run_id != ''", scope())).toBe(true);
    expect(evaluate("needs.apply.outputs.run_id != ''", scope())).toBe(false);
    expect(evaluate("needs.apply.outputs.run_id == ''", scope())).toBe(true);
    expect(evaluate("secrets.MISSING || 'fallback'", scope())).toBe('fallback');
    expect(evaluate('1 == true', scope())).toBe(true);
  });

  it('adds the implicit success() to a condition without a status function', () => {
    const failed = { success: false, failure: true, cancelled: false };
    expect(evaluateCondition("needs.plan.outputs.run_id != ''", scope())).toBe(true);
    expect(evaluateCondition("needs.plan.outputs.run_id != ''", scope(failed))).toBe(false);
    expect(evaluateCondition(undefined, scope(failed))).toBe(false);
    const cancelJob =
      "${{ always() && (contains(needs.*.result, 'failure') || contains(needs.*.result, 'cancelled')) }}";
    expect(evaluateCondition(cancelJob, scope(failed))).toBe(true);
  });

  it('refuses what it does not model instead of guessing', () => {
    expect(() => evaluate("startsWith(github.ref, 'refs')", scope())).toThrow(
      /unsupported function/,
    );
    expect(() => evaluate('github.head_ref', scope())).toThrow(/github.head_ref is not modelled/);
    expect(() => evaluate('github.event.pull_request.number', scope())).toThrow(/not modelled/);
    expect(() => evaluate('vars.X', scope())).toThrow(/context 'vars'/);
    expect(() => evaluate('1 < 2', scope())).toThrow(/unsupported character/);
    expect(() => evaluateCondition('${{ always() }} && x', scope())).toThrow(/mixing/);
  });
});
