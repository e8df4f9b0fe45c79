/**
 * What a plan does to each resource, attribute by attribute, read from `terraform show -json`:
 * `resource_changes` (what applying the plan changes) or `resource_drift` (what changed outside
 * Terraform since the last apply, as a refresh-only plan reports it). Reviewers, policy reports,
 * previews and drift checks all read plans through here.
 *
 * `terraform show -json` prints sensitive values in clear text and marks them in
 * `before_sensitive` / `after_sensitive`: every value under a sensitive mark is replaced by
 * SENSITIVE here, before it can reach a summary, a comment, a report or a log.
 */
import { ExternalError } from '../errors';
import {
  child,
  cutText,
  DETAIL_LIMITS,
  hideSecrets,
  isObject,
  SENSITIVE,
  sensitiveStrings,
  type DetailLimits,
  type Segment,
} from './value-text';

export { CUT_MARK, DETAIL_LIMITS, SENSITIVE, sliceText, type DetailLimits } from './value-text';

/** What stands for a value Terraform knows only once the plan is applied. */
export const KNOWN_AFTER_APPLY = '(known after apply)';

/** One attribute a change touches. */
export interface AttributeChange {
  /** Where in the resource, as Terraform prints it: `tags["env"]`, `ingress[0].cidr_blocks`. */
  path: string;
  /** The value before, as JSON text (SENSITIVE when sensitive); absent when it had none. */
  before?: string;
  /** The value after, as JSON text (SENSITIVE, KNOWN_AFTER_APPLY); absent when removed. */
  after?: string;
  /** Either side is sensitive: both values are SENSITIVE. */
  sensitive?: true;
  /** Changing this attribute makes Terraform replace the resource (`replace_paths`). */
  forcesReplacement?: true;
  /** A value was longer than DetailLimits.valueChars: its text ends in CUT_MARK. */
  cut?: true;
}

/** Actions as reviewers read them; `forget` removes from state without destroying (TF ≥ 1.7). */
export type DetailAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'forget' | 'no-op';

export interface ResourceDetail {
  address: string;
  /** The alias of the module the resource is in ('' for the root module). */
  alias: string;
  action: DetailAction;
  /** Replacements: create before destroy, or destroy before create. */
  replaceOrder?: 'create-before-destroy' | 'destroy-before-create';
  /** Terraform's reason for the action (`action_reason`), e.g. `replace_because_tainted`. */
  reason?: string;
  /** The address the resource had before a `moved` block. */
  movedFrom?: string;
  /** The resource is imported by this plan (an `import` block), with the id when known. */
  importing?: { id?: string };
  attributes: AttributeChange[];
  /** How many more attributes change than `attributes` holds (DetailLimits). */
  omittedAttributes?: number;
}

interface ShowChange {
  actions?: string[];
  before?: unknown;
  after?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  after_unknown?: unknown;
  replace_paths?: unknown[][];
  importing?: { id?: string } | null;
}

interface ShowResource {
  address?: string;
  module_address?: string;
  previous_address?: string;
  action_reason?: string;
  change?: ShowChange;
}

/** The field of `terraform show -json` to read: the plan's changes, or the drift it found. */
export type ChangeField = 'resource_changes' | 'resource_drift';

/**
 * Every resource the plan does something to (moves and imports included, plain no-ops left out),
 * in the plan's order, with the attributes that change.
 */
export function readResourceDetails(
  showJson: string,
  field: ChangeField = 'resource_changes',
  limits: DetailLimits = DETAIL_LIMITS,
): ResourceDetail[] {
  let plan: Partial<Record<ChangeField, ShowResource[]>>;
  try {
    plan = JSON.parse(showJson) as typeof plan;
  } catch {
    throw new ExternalError('terraform show -json printed something that is not JSON');
  }
  const details: ResourceDetail[] = [];
  const budget = { chars: limits.totalChars };
  const resources = isObject(plan) ? plan[field] : undefined;
  for (const resource of Array.isArray(resources) ? resources : []) {
    if (details.length >= limits.resources || budget.chars <= 0) break;
    if (!isObject(resource)) continue;
    const detail = describeResource(resource, limits, budget);
    if (detail) details.push(detail);
  }
  return details;
}

function actionOf(actions: readonly string[]): {
  action: DetailAction;
  order?: ResourceDetail['replaceOrder'];
} {
  const joined = actions.join(',');
  if (joined === 'create,delete') return { action: 'replace', order: 'create-before-destroy' };
  if (joined === 'delete,create') return { action: 'replace', order: 'destroy-before-create' };
  const single = actions.length === 1 ? actions[0] : undefined;
  if (single === 'create' || single === 'update' || single === 'delete' || single === 'read')
    return { action: single };
  if (single === 'forget') return { action: 'forget' };
  return { action: 'no-op' };
}

function describeResource(
  resource: ShowResource,
  limits: DetailLimits,
  budget: { chars: number },
): ResourceDetail | undefined {
  const change = isObject(resource.change) ? (resource.change as ShowChange) : {};
  if (typeof resource.address !== 'string' || !resource.address) return undefined;
  const { action, order } = actionOf(Array.isArray(change.actions) ? change.actions : []);
  const movedFrom =
    typeof resource.previous_address === 'string' &&
    resource.previous_address &&
    resource.previous_address !== resource.address
      ? cutText(resource.previous_address, limits.valueChars).text
      : undefined;
  const importing = change.importing
    ? {
        ...(typeof change.importing.id === 'string' && change.importing.id
          ? { id: cutText(change.importing.id, limits.valueChars).text }
          : {}),
      }
    : undefined;
  if (action === 'no-op' && !movedFrom && !importing) return undefined;
  const address = cutText(resource.address, limits.valueChars).text;
  budget.chars -= address.length;
  const collected: Collected = { attributes: [], omitted: 0, limits, budget };
  if (action !== 'forget') collectAttributes(change, collected);
  return {
    address,
    alias: /^module\.([^.[]+)/.exec(resource.module_address ?? '')?.[1] ?? '',
    action,
    ...(order ? { replaceOrder: order } : {}),
    ...(typeof resource.action_reason === 'string' && resource.action_reason
      ? { reason: cutText(resource.action_reason, 100).text }
      : {}),
    ...(movedFrom ? { movedFrom } : {}),
    ...(importing ? { importing } : {}),
    attributes: collected.attributes,
    ...(collected.omitted > 0 ? { omittedAttributes: collected.omitted } : {}),
  };
}

/** Where the attributes of one resource go, and what bounds them. */
interface Collected {
  attributes: AttributeChange[];
  /** Attributes that changed past `limits.attributes` (or past the plan's budget). */
  omitted: number;
  limits: DetailLimits;
  budget: { chars: number };
  /** Sensitive strings of this resource, hidden wherever else they appear in it. */
  secrets?: string[];
}

/** The attributes that differ between `before` and `after`, masked and marked (unbounded). */
export function attributeChanges(change: ShowChange): AttributeChange[] {
  const unbounded: DetailLimits = {
    valueChars: Infinity,
    attributes: Infinity,
    totalChars: Infinity,
    resources: Infinity,
  };
  const collected: Collected = {
    attributes: [],
    omitted: 0,
    limits: unbounded,
    budget: { chars: Infinity },
  };
  collectAttributes(change, collected);
  return collected.attributes;
}

function collectAttributes(change: ShowChange, collected: Collected): void {
  const replacePaths = (Array.isArray(change.replace_paths) ? change.replace_paths : []).filter(
    Array.isArray,
  ) as Segment[][];
  collected.secrets = sensitiveStrings(change);
  walk(
    [],
    {
      before: change.before ?? null,
      after: change.after ?? null,
      beforeSensitive: change.before_sensitive,
      afterSensitive: change.after_sensitive,
      afterUnknown: change.after_unknown,
    },
    replacePaths,
    collected,
  );
}

interface Sides {
  before: unknown;
  after: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
  afterUnknown: unknown;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(path: Segment[], sides: Sides, replacePaths: Segment[][], out: Collected) {
  const { before, after, beforeSensitive, afterSensitive, afterUnknown } = sides;
  const sensitive = beforeSensitive === true || afterSensitive === true;
  const unknown = afterUnknown === true;
  const absent = (value: unknown) => value === undefined || value === null;
  // Objects (and lists) are compared key by key, also against nothing (a create, a delete).
  const objects =
    (isObject(before) || absent(before)) &&
    (isObject(after) || absent(after)) &&
    (isObject(before) || isObject(after));
  const arrays =
    (Array.isArray(before) || absent(before)) &&
    (Array.isArray(after) || absent(after)) &&
    (Array.isArray(before) || Array.isArray(after));
  if (!sensitive && !unknown && (objects || arrays)) {
    const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);
    // Attributes known only after apply are absent from `after`: their keys are in the mask.
    const keys: Segment[] = arrays
      ? Array.from({ length: Math.max(length(before), length(after)) }, (_, i) => i)
      : [
          ...new Set(
            [before, after, afterUnknown].flatMap((v) => (isObject(v) ? Object.keys(v) : [])),
          ),
        ].sort();
    for (const key of keys) {
      walk(
        [...path, key],
        {
          before: child(before, key),
          after: child(after, key),
          beforeSensitive: child(beforeSensitive, key),
          afterSensitive: child(afterSensitive, key),
          afterUnknown: child(afterUnknown, key),
        },
        replacePaths,
        out,
      );
    }
    return;
  }
  // Sensitive subtrees that did not change are not reported; a change is, without its values.
  if (!unknown && sameJson(before, after)) return;
  if (path.length === 0 && before === null && after === null && !unknown) return;
  const present = (value: unknown) => !absent(value);
  if (!present(before) && !present(after) && !unknown) return;
  if (out.attributes.length >= out.limits.attributes || out.budget.chars <= 0) {
    out.omitted++;
    return;
  }
  const change: AttributeChange = { path: cutText(formatPath(path), out.limits.valueChars).text };
  const text = (value: unknown): string => {
    if (sensitive) return SENSITIVE;
    // Cut before searching a long value for secrets (bounded work), with room for the longest.
    const room = out.limits.valueChars + (out.secrets?.[0]?.length ?? 0);
    const json = cutText(JSON.stringify(value) ?? 'null', room);
    const hidden = hideSecrets(json.text, out.secrets);
    // The whole value was a secret: shown as one, not as a string that says so.
    if (hidden === JSON.stringify(SENSITIVE)) return SENSITIVE;
    const cut = cutText(hidden, out.limits.valueChars);
    if (json.cut || cut.cut) change.cut = true;
    return cut.text;
  };
  if (present(before)) change.before = text(before);
  if (unknown) change.after = KNOWN_AFTER_APPLY;
  else if (present(after)) change.after = text(after);
  if (sensitive) change.sensitive = true;
  if (replacePaths.some((p) => startsWith(path, p) || startsWith(p, path)))
    change.forcesReplacement = true;
  out.budget.chars -=
    change.path.length + (change.before?.length ?? 0) + (change.after?.length ?? 0);
  out.attributes.push(change);
}

function startsWith(path: readonly Segment[], prefix: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A path as Terraform prints it: `a.b`, `list[0]`, `tags["aws:name"]`; `(resource)` for none. */
export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return '(resource)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (IDENTIFIER.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}
