/**
 * Text a person reads on a terminal. Run records, stored logs and audit fields carry text from
 * templates, Terraform and the runner's environment (a hostile plugin's error message), which must
 * not be able to move the cursor, rewrite earlier lines or set the window title of the reader.
 */

// C0 and C1 control characters but tab and newline: ESC starts terminal sequences, CR overwrites.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Every control character but tab and newline shown as `?` (all text the CLI prints). */
export function plain(text: string): string {
  return text.replace(CONTROL, '?');
}

/** Every control character but tab and newline shown as `\xHH` (stored logs, audit fields). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
