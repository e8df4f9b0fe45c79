/**
 * Text that is not ours (Terraform's output, plan text, values and messages from plugins) printed
 * so that the runner reads no workflow command in it: a line of it such as `::warning::…`,
 * `::add-mask::…` or `##[error]…` would otherwise become an annotation, a mask, a group.
 */
import { randomBytes } from 'node:crypto';

/**
 * Whether the runner could read a command in `text`: a line starting `::` (after spaces) or
 * holding `##[` anywhere. Checked on the printable ASCII characters only, so that characters the
 * runner's culture-aware string search ignores (zero-width, control) cannot hide one, and across
 * line breaks (\n, \r), which the runner splits on: erring towards wrapping.
 */
export function mayHoldCommand(text: string): boolean {
  const visible = text.replace(/[^\x21-\x7e]/g, '');
  return visible.includes('::') || visible.includes('##[');
}

/**
 * `text` ready to print: as it is when it holds nothing like a command, else between
 * `::stop-commands::<token>` and `::<token>::`, a fresh random token each time (the text cannot
 * know it, so cannot end the pause itself). Print it with one write, so nothing else lands inside.
 */
export function inertText(text: string): string {
  if (!mayHoldCommand(text)) return text;
  const token = randomBytes(16).toString('hex');
  return `::stop-commands::${token}\n${text}\n::${token}::`;
}
