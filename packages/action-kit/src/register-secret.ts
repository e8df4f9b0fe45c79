/** The one way the actions register a secret with the runner: the value and its encoded forms. */
import * as core from '@actions/core';
import { secretForms, secretMasker } from '@deploy-engine/core';

/** Every secret this step registered, for what the runner does not mask (see maskRegistered). */
const registered = new Set<string>();
/** The masker of `registered`, made again only when a secret is added. */
let masker: ((text: string) => string) | undefined;

/**
 * Masks `value` in the job log, with its base64, URL and JSON-escaped forms (see secretForms):
 * the runner's own encodings miss base64 inside a longer text and Terraform's `urlencode` and
 * `jsonencode` spellings. Call before the value is used.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || registered.has(value)) return;
  registered.add(value);
  masker = undefined;
  for (const form of secretForms(value)) core.setSecret(form);
}

/**
 * `text` with every secret registered so far masked, in its encoded forms too: for what leaves
 * the step other than through the log (the job summary, a pull-request comment).
 */
export function maskRegistered(text: string): string {
  masker ??= secretMasker(registered);
  return masker(text);
}

/** A value (e.g. a Terraform output) as JSON, every string in it masked before it is quoted. */
export function maskedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'string' ? maskRegistered(item) : item,
  );
}

/** Writes the job summary built in core.summary, with every registered secret masked. */
export async function writeMaskedSummary(): Promise<void> {
  const text = maskRegistered(core.summary.stringify());
  await core.summary.emptyBuffer().addRaw(text).write();
}
