/**
 * Renders templates with real Python Jinja2 (python3 spawned, no network), for differential
 * tests. It fails loudly when python3 or jinja2 is missing: a comparison that cannot run must not
 * pass. Jinja2 gets a `finalize` that prints values by this engine's documented rule (booleans
 * `true`/`false`, None empty, lists and maps as compact JSON), so what is compared is the filters'
 * and the language's results, not Python's repr.
 */
import { spawnSync } from 'node:child_process';

const SCRIPT = String.raw`
import json, sys
from jinja2.sandbox import SandboxedEnvironment
def finalize(v):
    if v is True: return 'true'
    if v is False: return 'false'
    if v is None: return ''
    if isinstance(v, (list, dict, tuple)): return json.dumps(v, separators=(',', ':'), ensure_ascii=False)
    return v
env = SandboxedEnvironment(finalize=finalize, keep_trailing_newline=True)
request = json.load(sys.stdin)
out = []
for t in request['templates']:
    try:
        out.append({'ok': True, 'text': env.from_string(t).render(**request['context'])})
    except Exception as e:
        out.append({'ok': False, 'error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`;

export type ReferenceResult = { ok: true; text: string } | { ok: false; error: string };

/** Each template rendered by Jinja2 with `context`. */
export function renderWithJinja2(
  templates: readonly string[],
  context: Record<string, unknown>,
): ReferenceResult[] {
  const run = spawnSync('python3', ['-c', SCRIPT], {
    input: JSON.stringify({ templates, context }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error || run.status !== 0) {
    throw new Error(
      `python3 with jinja2 is needed for this test and failed: ${run.error?.message ?? run.stderr}`,
    );
  }
  return JSON.parse(run.stdout) as ReferenceResult[];
}
