/**
 * Terraform's diagnostics (its `Error:` and `Warning:` blocks) read from what it prints with
 * `-no-color`: severity, summary, detail, and the file and line it names. The human form is read,
 * not `-json`: a plan's human text is what reviewers read, and a JSON line would decode escaped
 * text (`\u003c`) after the line-by-line secret masking. The box-drawing frame Terraform draws in
 * colour mode (`╷ │ ╵`) is taken off, so no message carries it.
 */
import type { SourceLocation } from '../errors';

export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  /** The explanation, on one line. */
  detail: string;
  /** The file Terraform names, relative to the project folder, and its line. */
  file?: string;
  line?: number;
  /** The resource it is about (`with aws_sns_topic.t`). */
  address?: string;
}

/** A diagnostic with the place a user can open (see DiagnosticLocator). */
export interface LocatedDiagnostic extends TerraformDiagnostic {
  location?: SourceLocation;
  /** The line is the nearest the template gives, not an exact match. */
  near?: boolean;
  /** Where exactly, when the location cannot say it (a downloaded module's file). */
  note?: string;
}

/**
 * Maps a file of the project (relative to its folder) and a line to the file a user can open (a
 * plugin's template, repository-relative) and its line.
 */
export type DiagnosticLocator = (
  file: string,
  line: number | undefined,
) => Promise<{ location: SourceLocation; near: boolean; note?: string }>;

/** Terraform's colour-mode frame, and the lines it ends blocks with. */
const FRAME = /^[│╷╵]\s?/;
const START = /^(Error|Warning): (.*)$/;
/** What Terraform prints after its diagnostics: a warning block ends there. */
const AFTER =
  /^(─{5,}|Saved the plan to:|To perform exactly these actions|Plan: \d|Apply complete!|Destroy complete!|No changes\.|Changes to Outputs:|Outputs:|Terraform (will perform|used the selected|has been successfully)|Releasing state lock|Acquiring state lock|Initializing |\S+: (Creating|Modifying|Destroying|Refreshing|Reading|Still|Creation complete|Modifications complete|Destruction complete|Read complete))/;

/** Removes what the frame and colour codes add; keeps the text. */
export function plainTerraformText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.replace(FRAME, '').replace(/[╷╵]\s*$/, ''))
      .join('\n')
  );
}

/** Every `Error:` and `Warning:` block in Terraform's output, in order. */
export function parseDiagnostics(output: string): TerraformDiagnostic[] {
  const lines = plainTerraformText(output).split('\n');
  const found: TerraformDiagnostic[] = [];
  let current: { diagnostic: TerraformDiagnostic; body: string[] } | undefined;
  const close = (): void => {
    if (!current) return;
    const { diagnostic, body } = current;
    const detail: string[] = [];
    for (const raw of body) {
      const line = raw.trim();
      const where = /^on (.+?) line (\d+)(?:, in .*)?:?$/.exec(line);
      const withWhat = /^with (.+?),?$/.exec(line);
      if (where && diagnostic.file === undefined) {
        diagnostic.file = where[1];
        diagnostic.line = Number(where[2]);
      } else if (withWhat && diagnostic.address === undefined && detail.length === 0) {
        diagnostic.address = withWhat[1];
      } else if (/^\d+:/.test(line) || /^├|^│/.test(line) || line === '') {
        // The source snippet and the values Terraform shows under it.
      } else {
        detail.push(line);
      }
    }
    diagnostic.detail = detail.join(' ');
    found.push(diagnostic);
    current = undefined;
  };
  for (const line of lines) {
    const start = START.exec(line.trim());
    if (start && !/^\s/.test(line)) {
      close();
      current = {
        diagnostic: {
          severity: start[1] === 'Error' ? 'error' : 'warning',
          summary: (start[2] as string).trim(),
          detail: '',
        },
        body: [],
      };
    } else if (current && AFTER.test(line.trim()) && !/^\s/.test(line)) {
      close();
    } else if (current) {
      current.body.push(line);
    }
  }
  close();
  return found;
}

/**
 * Places the diagnostics with `locate` (or, without one, as `<label>/<file>`); one that names no
 * file gets none.
 */
export async function locateDiagnostics(
  diagnostics: readonly TerraformDiagnostic[],
  label: string,
  locate?: DiagnosticLocator,
): Promise<LocatedDiagnostic[]> {
  return Promise.all(
    diagnostics.map(async (d) => {
      if (d.file === undefined) return { ...d };
      if (!locate) return { ...d, location: { file: `${label}/${d.file}`, line: d.line } };
      return { ...d, ...(await locate(d.file, d.line)) };
    }),
  );
}

/** One line for a person: `Terraform: <summary> (<detail>)`, the detail cut at 700 characters. */
export function describeDiagnostic(d: LocatedDiagnostic): string {
  // The cause is often at the end (git's or the provider's own message): keep it, within reason.
  const detail = d.detail.length > 700 ? `${d.detail.slice(0, 700)}…` : d.detail;
  const where = [
    ...(d.near && d.location?.line !== undefined ? [`near line ${d.location.line}`] : []),
    ...(d.note ? [d.note] : []),
  ];
  return `Terraform: ${d.summary}${detail ? ` (${detail})` : ''}${where.length > 0 ? ` [${where.join('; ')}]` : ''}`;
}
