/**
 * docs/actions.md documents exactly what each action.yml declares: every input (with its default)
 * and every output has a row in its action's section, and every row names one that exists. So the
 * reference cannot drift from the actions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_IDS, readActionMetadata, REPO_ROOT } from '../harness/action-metadata';

const DOC = join(REPO_ROOT, 'docs', 'actions.md');

interface DocumentedAction {
  /** Input name -> the default cell as written. */
  inputs: Map<string, string>;
  outputs: Set<string>;
}

/** A table row naming an input or output: `| \`NAME\` | cell | ...`. */
const ROW = /^\|\s*`([A-Za-z_][A-Za-z0-9_]*)`\s*\|([^|]*)\|/;

/**
 * The rows of each `## <action id>` section: those under `### Outputs` are outputs, the others
 * inputs.
 */
function documentedActions(markdown: string): Map<string, DocumentedAction> {
  const result = new Map<string, DocumentedAction>();
  let current: DocumentedAction | undefined;
  let inOutputs = false;
  for (const line of markdown.split('\n')) {
    const section = /^## (\S+)\s*$/.exec(line);
    if (section) {
      const id = section[1] as string;
      current = (ACTION_IDS as readonly string[]).includes(id)
        ? { inputs: new Map(), outputs: new Set() }
        : undefined;
      if (current) {
        if (result.has(id)) throw new Error(`docs/actions.md has two sections ## ${id}`);
        result.set(id, current);
      }
      inOutputs = false;
      continue;
    }
    if (!current) continue;
    if (/^### /.test(line)) inOutputs = /^### Outputs\s*$/.test(line);
    const row = ROW.exec(line);
    if (!row) continue;
    const name = row[1] as string;
    const cell = (row[2] as string).trim();
    if (inOutputs) {
      if (current.outputs.has(name)) throw new Error(`output ${name} is documented twice`);
      current.outputs.add(name);
    } else {
      if (current.inputs.has(name)) throw new Error(`input ${name} is documented twice`);
      current.inputs.set(name, cell);
    }
  }
  return result;
}

/** How the doc writes an input's default: required, — (empty) or the value in backticks. */
function defaultCell(spec: { required?: boolean; default?: string }): string {
  if (spec.required === true) return 'required';
  const value = spec.default === undefined ? '' : String(spec.default);
  return value === '' ? '—' : `\`${value}\``;
}

/** What differs between an action.yml and its section of the doc, one line per difference. */
function differences(id: string, documented: DocumentedAction | undefined): string[] {
  const metadata = readActionMetadata(id);
  if (!documented) return [`no section "## ${id}"`];
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(metadata.inputs)) {
    const cell = documented.inputs.get(name);
    if (cell === undefined) problems.push(`input ${name} is not documented`);
    else if (cell !== defaultCell(spec))
      problems.push(
        `input ${name}: default documented as ${cell}, action.yml says ${defaultCell(spec)}`,
      );
  }
  for (const name of documented.inputs.keys())
    if (!(name in metadata.inputs)) problems.push(`input ${name} is documented but not declared`);
  for (const name of Object.keys(metadata.outputs))
    if (!documented.outputs.has(name)) problems.push(`output ${name} is not documented`);
  for (const name of documented.outputs)
    if (!(name in metadata.outputs)) problems.push(`output ${name} is documented but not declared`);
  return problems;
}

const sections = documentedActions(readFileSync(DOC, 'utf8'));

describe.each(ACTION_IDS)('docs/actions.md for %s', (id) => {
  it('documents every input and output its action.yml declares, and nothing else', () => {
    expect(differences(id, sections.get(id))).toEqual([]);
  });
});

describe('the check itself', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('catches an input left out, an input that does not exist, and a changed default', () => {
    const dropped = doc.replace(/^\| `TASK_LIST` .*\n/m, '');
    expect(differences('runtime-tasks', documentedActions(dropped).get('runtime-tasks'))).toEqual([
      'input TASK_LIST is not documented',
    ]);
    const extra = doc.replace(
      /^(\| `FORCE_CANCEL` .*\n)/m,
      '$1| `NO_SUCH_INPUT` | — | | nothing |\n',
    );
    expect(differences('cancel-run', documentedActions(extra).get('cancel-run'))).toEqual([
      'input NO_SUCH_INPUT is documented but not declared',
    ]);
    const changed = doc.replace(/^\| `FORCE_CANCEL`(\s*)\| `true`/m, '| `FORCE_CANCEL`$1| `false`');
    expect(differences('cancel-run', documentedActions(changed).get('cancel-run'))).toEqual([
      'input FORCE_CANCEL: default documented as `false`, action.yml says `true`',
    ]);
  });

  it('catches an output left out', () => {
    const dropped = doc.replace(/^\| `run_data` .*\n/m, '');
    expect(differences('cancel-run', documentedActions(dropped).get('cancel-run'))).toEqual([
      'output run_data is not documented',
    ]);
  });
});
