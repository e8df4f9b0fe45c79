/**
 * How a plan's value becomes text a reviewer may see: cut to a bounded length, with the resource's
 * sensitive strings hidden wherever they appear. The limits keep a hostile plan from blowing up
 * what stores or shows it.
 */

/** What replaces a sensitive value wherever a plan is shown. */
export const SENSITIVE = '(sensitive value)';

export type Segment = string | number;

/**
 * How much of a plan the details keep, so that a hostile plan (a 10 MB string, a list of a
 * million elements, 100,000 resources) cannot blow up the run record, memory, the job summary or
 * the pull-request comment. What is left out is counted or marked; the full plan text is in S3.
 */
export interface DetailLimits {
  /** Characters kept of each value's text; a longer one is cut, ends in CUT_MARK, marked `cut`. */
  valueChars: number;
  /** Attributes kept per resource; the others are counted in `omittedAttributes`. */
  attributes: number;
  /** Characters (addresses and values) kept over the whole plan; past it no more resources. */
  totalChars: number;
  /** Resources kept; the plan's other resources are left out (compare with readPlanChanges). */
  resources: number;
}

/** The limits a saved plan's record keeps: far more than a summary or a comment can show. */
export const DETAIL_LIMITS: DetailLimits = {
  valueChars: 2000,
  attributes: 100,
  totalChars: 500_000,
  resources: 5000,
};

/** What ends a value's text that was cut. */
export const CUT_MARK = '…';

/** A plain object (not null, not a list). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The part of a value, mark or mask under one key or index. */
export function child(value: unknown, key: Segment): unknown {
  if (Array.isArray(value) && typeof key === 'number') return value[key];
  if (isObject(value) && typeof key === 'string') return value[key];
  return undefined;
}

/** The first `length` UTF-16 units of `text`, one less rather than half a surrogate pair. */
export function sliceText(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/** `text` cut to `max` characters (CUT_MARK included) when longer. */
export function cutText(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  return { text: sliceText(text, Math.max(0, max - CUT_MARK.length)) + CUT_MARK, cut: true };
}

/** Sensitive strings shorter than this are not searched for elsewhere (too many false hits). */
const MIN_SECRET_LENGTH = 4;
/** At most this many sensitive strings per resource are searched for (bounded work). */
const MAX_SECRETS = 100;

/**
 * The strings under a sensitive mark, before or after, as they appear inside JSON text. Terraform
 * does not always carry the mark to values derived from a sensitive one: `terraform_data`'s
 * `output` shows its sensitive `input` in clear in `before` (Terraform 1.11), so these strings are
 * hidden wherever they appear in the resource's other values too.
 */
export function sensitiveStrings(change: {
  before?: unknown;
  after?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
}): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, mark: unknown, sensitive: boolean): void => {
    if (found.size >= MAX_SECRETS) return;
    const marked = sensitive || mark === true;
    if (typeof value === 'string') {
      if (marked && value.length >= MIN_SECRET_LENGTH)
        found.add(JSON.stringify(value).slice(1, -1));
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, child(mark, i), marked));
    else if (isObject(value))
      for (const [k, v] of Object.entries(value)) visit(v, child(mark, k), marked);
  };
  visit(change.before, change.before_sensitive, false);
  visit(change.after, change.after_sensitive, false);
  // Longest first, so a secret that contains another is hidden whole.
  return [...found].sort((a, b) => b.length - a.length);
}

/** `text` with each of `secrets` replaced by SENSITIVE. */
export function hideSecrets(text: string, secrets: readonly string[] | undefined): string {
  let hidden = text;
  for (const secret of secrets ?? []) hidden = hidden.split(secret).join(SENSITIVE);
  return hidden;
}
