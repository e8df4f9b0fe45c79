/**
 * StackSpot's own filters, as its plugins use them in computed inputs and templates
 * (`{{ project_artifact_id | lower | to_kebab }}`, `regex_replace('[^0-9a-zA-Z_]', '')`,
 * `{{ project_base_package | group_id_folder }}`).
 *
 * The case filters follow the rules of jinja2-strcase (a port of Go's iancoleman/strcase), whose
 * filter names StackSpot's are; they give StackSpot's published results
 * (`app-rest-3-with-mandate-inputs | to_camel` is `AppRest3WithMandateInputs`). Only ASCII
 * letters change case, digits start a word, and anything else is dropped by the camel cases and
 * kept by the delimited ones.
 */
import { runInNewContext } from 'node:vm';
import { SandboxError } from '../sandbox-error';
import { printedText } from '../marked-runtime';

/** `a12b` -> `a 12 b`: a run of digits after a letter is a word of its own. */
function spaceNumbers(text: string): string {
  return text.replace(/([a-zA-Z])(\d+)([a-zA-Z]?)/g, '$1 $2 $3');
}

const isUpper = (c: string): boolean => c >= 'A' && c <= 'Z';
const isLower = (c: string): boolean => c >= 'a' && c <= 'z';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const stripSpaces = (text: string): string => text.replace(/^ +| +$/g, '');

function camel(value: unknown, capitalizeFirst: boolean): string {
  const text = stripSpaces(spaceNumbers(printedText(value ?? '')));
  let out = '';
  let capNext = capitalizeFirst;
  for (const c of text) {
    if (isUpper(c) || isDigit(c)) out += c;
    if (isLower(c)) out += capNext ? c.toUpperCase() : c;
    capNext = c === '_' || c === ' ' || c === '-';
  }
  return out;
}

function delimited(value: unknown, delimiter: string, screaming: boolean): string {
  const text = stripSpaces(spaceNumbers(printedText(value ?? '')));
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const next = text[i + 1];
    const caseChanges =
      next !== undefined && ((isUpper(c) && isLower(next)) || (isLower(c) && isUpper(next)));
    if (i > 0 && !out.endsWith(delimiter) && caseChanges) {
      if (isUpper(c)) out += delimiter + c;
      else if (isLower(c)) out += c + delimiter;
    } else if (c === ' ' || c === '_' || c === '-') out += delimiter;
    else out += c;
  }
  return screaming ? out.toUpperCase() : out.toLowerCase();
}

/** The longest text and pattern regex_replace works on: a bounded regular expression run. */
const REGEX_LIMITS = { textChars: 100_000, patternChars: 1_000, timeoutMs: 1_000 };

/**
 * Python's re.sub(pattern, replacement, value), with JavaScript's regular expressions (the same
 * for the classes, groups and anchors plugins use). `\1` and `\g<name>` in the replacement are
 * Python's group references. A pattern that backtracks without end is stopped after 1 s.
 */
function regexReplace(
  value: unknown,
  pattern: unknown,
  replacement: unknown = '',
  ignorecase = false,
): string {
  const text = printedText(value ?? '');
  const source = printedText(pattern ?? '');
  if (text.length > REGEX_LIMITS.textChars || source.length > REGEX_LIMITS.patternChars) {
    throw new SandboxError(
      `regex_replace works on at most ${REGEX_LIMITS.textChars} characters with a pattern of at most ${REGEX_LIMITS.patternChars}`,
    );
  }
  const jsReplacement = printedText(replacement ?? '')
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>/g, (_, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
    .replace(/\\(\d{1,2})/g, '$$$1')
    .replace(/\\\\/g, '\\');
  let regex: RegExp;
  try {
    regex = new RegExp(
      source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'),
      ignorecase ? 'gi' : 'g',
    );
  } catch (error) {
    throw new SandboxError(
      `regex_replace: invalid pattern ${JSON.stringify(source)} (${(error as Error).message})`,
    );
  }
  try {
    // A separate context with a timeout: V8 interrupts a regular expression that runs too long.
    return runInNewContext(
      'text.replace(regex, replacement)',
      { text, regex, replacement: jsReplacement },
      {
        timeout: REGEX_LIMITS.timeoutMs,
      },
    ) as string;
  } catch (error) {
    throw new SandboxError(
      `regex_replace: ${(error as Error).message} (pattern ${JSON.stringify(source)})`,
    );
  }
}

/** The StackSpot filters by name. */
export const STACKSPOT_FILTERS: Record<string, (...args: never[]) => unknown> = {
  to_camel: (v: unknown) => camel(v, true),
  to_lower_camel: (v: unknown) => {
    const text = printedText(v ?? '');
    const first = text.charAt(0);
    return camel(isUpper(first) ? first.toLowerCase() + text.slice(1) : text, false);
  },
  to_kebab: (v: unknown) => delimited(v, '-', false),
  to_snake: (v: unknown) => delimited(v, '_', false),
  to_screaming_kebab: (v: unknown) => delimited(v, '-', true),
  to_screaming_snake: (v: unknown) => delimited(v, '_', true),
  to_delimited: (v: unknown, d: unknown) => delimited(v, printedText(d ?? ''), false),
  to_screaming_delimited: (v: unknown, d: unknown) => delimited(v, printedText(d ?? ''), true),
  /** A Java group id as a folder path: `br.com.zup.edu.lixoapp` -> `br/com/zup/edu/lixoapp`. */
  group_id_folder: (v: unknown) => printedText(v ?? '').replace(/\./g, '/'),
  regex_replace: regexReplace,
};
