/**
 * The values `terraform show -json` prints in clear text although Terraform marks them sensitive:
 * a policy command that echoes the plan (or part of it) must not put them in the log, the job
 * summary or the run's records, so its output is masked with them.
 */

/** Shorter strings are not masked: they would hide common words and give away little. */
const MIN_LENGTH = 4;

/**
 * Every sensitive value in a plan's JSON (`terraform show -json`), as the texts to mask: each
 * string at a sensitive place, and the JSON of each sensitive object or list. Wherever the plan
 * pairs a value with its sensitivity mask (`before`/`before_sensitive`, `after`/`after_sensitive`,
 * `values`/`sensitive_values`), flags one (`{ sensitive: true, value }`), or declares a root
 * variable sensitive. Malformed JSON gives none (the policy command gets the same text).
 */
export function sensitiveValues(planJson: string): string[] {
  let plan: unknown;
  try {
    plan = JSON.parse(planJson);
  } catch {
    return [];
  }
  const found = new Set<string>();
  walk(plan, found);
  for (const name of sensitiveVariables(plan)) {
    const variables = field(plan, 'variables');
    collect(field(field(variables, name), 'value'), found);
  }
  return [...found];
}

const PAIRS: [string, string][] = [
  ['before', 'before_sensitive'],
  ['after', 'after_sensitive'],
  ['values', 'sensitive_values'],
];

function walk(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach((item) => walk(item, found));
    return;
  }
  if (!isObject(node)) return;
  for (const [value, mask] of PAIRS) {
    if (value in node && mask in node) masked(node[value], node[mask], found);
  }
  if (node.sensitive === true && 'value' in node) collect(node.value, found);
  for (const child of Object.values(node)) walk(child, found);
}

/** The values of `value` where `mask` (same shape, `true` at sensitive places) says so. */
function masked(value: unknown, mask: unknown, found: Set<string>): void {
  if (mask === true) {
    collect(value, found);
    return;
  }
  if (Array.isArray(mask) && Array.isArray(value)) {
    mask.forEach((m, index) => masked(value[index], m, found));
  } else if (isObject(mask) && isObject(value)) {
    for (const [key, m] of Object.entries(mask)) masked(value[key], m, found);
  }
}

/** A sensitive value: every string in it, and the whole as JSON when it is not a string. */
function collect(value: unknown, found: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (value.length >= MIN_LENGTH) found.add(value);
    return;
  }
  if (typeof value !== 'object') return;
  const json = JSON.stringify(value);
  if (json.length >= MIN_LENGTH) found.add(json);
  for (const item of Object.values(value)) collect(item, found);
}

/** The root module's variables declared `sensitive = true` (the plan's configuration says). */
function sensitiveVariables(plan: unknown): string[] {
  const declared = field(field(field(plan, 'configuration'), 'root_module'), 'variables');
  if (!isObject(declared)) return [];
  return Object.entries(declared)
    .filter(([, variable]) => isObject(variable) && variable.sensitive === true)
    .map(([name]) => name);
}

function field(node: unknown, key: string): unknown {
  return isObject(node) ? node[key] : undefined;
}

function isObject(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}
