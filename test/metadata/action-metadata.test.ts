/**
 * Every action.yml matches its code: each input the code reads is declared and each declared input
 * is read; all actions use the same runtime; `main` points at an existing bundle.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCancelInputs } from '../../actions/cancel-run/src/inputs';
import { parseOrchestrateInputs } from '../../actions/orchestrate-and-plan/src/inputs';
import { parseRuntimeInputs } from '../../actions/runtime-tasks/src/inputs';
import { ACTION_IDS, readActionMetadata, REPO_ROOT } from '../harness/action-metadata';
import { fakeInputs } from '../support/fake-inputs';
import type { InputParser } from '@deploy-engine/action-kit';

const parsers: Record<(typeof ACTION_IDS)[number], (p: InputParser) => unknown> = {
  'orchestrate-and-plan': parseOrchestrateInputs,
  'runtime-tasks': parseRuntimeInputs,
  'cancel-run': parseCancelInputs,
};

/** Names of inputs each action must keep (docs/actions.md; StackSpot's among them), verbatim. */
const CONTRACT_INPUTS: Record<(typeof ACTION_IDS)[number], string[]> = {
  'orchestrate-and-plan':
    'TFSTATE_BUCKET_NAME TFSTATE_BUCKET_REGION IAC_BUCKET_NAME IAC_BUCKET_REGION WORKSPACE ENVIRONMENT VERSION REPOSITORY_NAME PATH_TO_MOUNT WORKDIR STK_CLIENT_ID STK_CLIENT_SECRET STK_REALM AWS_IAM_ROLE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION FEATURES_TERRAFORM_MODULES FEATURES_TERRAFORM_PROVIDERS FEATURES_TERRAFORM_REMOTE_STATE DYNAMIC_INPUTS TERRAFORM_PARALLELISM TF_LOG_PROVIDER LOCAL_EXEC_ENABLED BASE_PATH_OUTPUT VERBOSE SKIP_DEPLOY CHECKOUT_BRANCH OPEN_API_PATH LEVEL_LOG'.split(
      ' ',
    ),
  'runtime-tasks':
    'RUN_ID TASK_LIST REPOSITORY_NAME PATH_TO_MOUNT AWS_REGION AWS_ROLE_ARN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN FEATURES_TERRAFORM_MODULES FEATURES_TERRAFORM_PROVIDERS FEATURES_TERRAFORM_REMOTE_STATE CLIENT_ID CLIENT_KEY CLIENT_REALM TF_PARALLELISM TF_LOG_PROVIDER LOCALEXEC_ENABLED OUTPUT_FILE BASE_PATH_OUTPUT EXCLUDE_FILES_PATH FEATURES_LEVEL_LOG CHECKOUT_BRANCH'.split(
      ' ',
    ),
  'cancel-run': 'RUN_ID CLIENT_ID CLIENT_KEY CLIENT_REALM FORCE_CANCEL'.split(' '),
};

const CONTRACT_OUTPUTS: Record<(typeof ACTION_IDS)[number], string[]> = {
  'orchestrate-and-plan': ['run_id', 'apply_tasks'],
  'runtime-tasks': [],
  'cancel-run': ['run_data'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe.each(ACTION_IDS)('action %s', (id) => {
  const metadata = readActionMetadata(id);

  it('declares every input the contract lists for it, with a description', () => {
    expect(Object.keys(metadata.inputs)).toEqual(expect.arrayContaining(CONTRACT_INPUTS[id]));
    for (const [name, spec] of Object.entries(metadata.inputs)) {
      expect([name, typeof spec.description === 'string' && spec.description.length > 10]).toEqual([
        name,
        true,
      ]);
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  it('declares the outputs the contract lists for it', () => {
    expect(Object.keys(metadata.outputs)).toEqual(expect.arrayContaining(CONTRACT_OUTPUTS[id]));
  });

  it('reads exactly the inputs it declares', () => {
    // Valid values for everything required, so the parser reads on to the end.
    const values: Record<string, string> = {};
    for (const [name, spec] of Object.entries(metadata.inputs)) {
      values[name] =
        spec.default !== undefined && !String(spec.default).includes('${{')
          ? String(spec.default)
          : '';
    }
    Object.assign(values, {
      TFSTATE_BUCKET_NAME: 'tf-bucket',
      IAC_BUCKET_NAME: 'iac-bucket',
      WORKSPACE: 'w',
      ENVIRONMENT: 'e',
      VERSION: 'v',
      RUN_ID: 'r',
      TASK_LIST: '[]',
    });
    const fake = fakeInputs(
      Object.fromEntries(Object.entries(values).filter(([n]) => n in metadata.inputs)),
    );
    parsers[id](fake.parser);
    expect([...fake.read].sort()).toEqual(Object.keys(metadata.inputs).sort());
  });

  it('reads inputs only through its inputs module (no stray core.getInput)', () => {
    const offenders = sourceFiles(join(metadata.dir, 'src')).filter((file) =>
      /getInput|getBooleanInput|getMultilineInput/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => relative(REPO_ROOT, f))).toEqual([]);
  });

  it('runs on node24 with main pointing at its committed bundle', () => {
    expect(metadata.runs.using).toBe('node24');
    expect(metadata.runs.main).toBe(`../../dist/${id}/index.js`);
    expect(existsSync(join(metadata.dir, metadata.runs.main))).toBe(true);
    if (metadata.runs.post !== undefined) {
      expect(metadata.runs.post).toBe(`../../dist/${id}/post/index.js`);
      expect(existsSync(join(metadata.dir, metadata.runs.post))).toBe(true);
    }
  });
});

it('every action folder is one of the known actions', () => {
  const folders = readdirSync(join(REPO_ROOT, 'actions')).filter((d) =>
    existsSync(join(REPO_ROOT, 'actions', d, 'action.yml')),
  );
  expect(folders.sort()).toEqual([...ACTION_IDS].sort());
});
