/**
 * The forms a secret takes when Terraform or a template encodes it, so that masking catches them
 * too, as the GitHub runner does for the values it masks: base64 at each of the three byte
 * alignments (with and without padding, and the part that stays the same wherever the secret sits
 * inside a longer encoded text, e.g. `filebase64("/proc/self/environ")`), URL-encoded (Terraform's
 * `urlencode` and JavaScript's `encodeURIComponent`) and JSON-escaped (Terraform's `jsonencode`,
 * which also escapes `<`, `>`, `&`, and `JSON.stringify`, also once more as inside a quoted string).
 */

/** Encoded forms shorter than this are not masked: they would hide common text and give away ≤ 3 bytes. */
const MIN_ENCODED_LENGTH = 6;

const cache = new Map<string, readonly string[]>();

/** Base64 of the bytes from `shift` on: padded, unpadded, and the prefix no following byte changes. */
function base64Forms(bytes: Buffer, shift: number): string[] {
  if (bytes.length <= shift) return [];
  const part = bytes.subarray(shift);
  const padded = part.toString('base64');
  const unpadded = padded.replace(/=+$/, '');
  // Each 3 bytes make 4 characters; of a trailing 1 or 2 bytes only the first 1 or 2 characters
  // are theirs alone (the next one mixes in bits of whatever follows the secret).
  const whole = Math.floor(part.length / 3) * 4;
  const rest = part.length % 3;
  const stable = padded.slice(0, whole + rest);
  return [padded, unpadded, stable];
}

/** Go's url.QueryEscape (Terraform's urlencode): only A-Z a-z 0-9 - _ . ~ kept, space as +. */
function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** JSON string content as Go's encoding/json writes it (Terraform's jsonencode). */
function goJsonEscape(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Every form of `secret` to mask: the value itself first, then its encodings (deduplicated,
 * each at least a few characters long). Empty for an empty value.
 */
export function secretForms(secret: string): readonly string[] {
  if (secret === '') return [];
  let forms = cache.get(secret);
  if (!forms) {
    const bytes = Buffer.from(secret, 'utf8');
    const jsonForms = [JSON.stringify(secret).slice(1, -1), goJsonEscape(secret)];
    const encoded = [
      ...[0, 1, 2].flatMap((shift) => base64Forms(bytes, shift)),
      encodeURIComponent(secret),
      queryEscape(secret),
      queryEscape(secret).replace(/\+/g, '%20'),
      ...jsonForms,
      // A JSON text shown inside a quoted string again (Terraform's plan and output text).
      ...jsonForms.map((form) => JSON.stringify(form).slice(1, -1)),
    ].filter((form) => form.length >= MIN_ENCODED_LENGTH);
    forms = [...new Set([secret, ...encoded])];
    cache.set(secret, forms);
  }
  return forms;
}

/**
 * A function that replaces every form of every secret in a text with `***`, longest first (so a
 * secret inside a longer one does not leave the rest of it showing).
 */
export function secretMasker(secrets: Iterable<string>): (text: string) => string {
  const forms = [...new Set([...secrets].flatMap((s) => secretForms(s)))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let masked = text;
    for (const form of forms) {
      if (masked.includes(form)) masked = masked.split(form).join('***');
    }
    return masked;
  };
}
