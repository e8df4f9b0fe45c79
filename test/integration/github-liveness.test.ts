/**
 * The action-kit's question to GitHub (is this workflow run attempt over?) against the fake GitHub
 * REST API on loopback: what it asks, with which token, and how each answer is read. Anything but
 * a clear answer is `unknown`, with the reason and what to do.
 */
import { githubLiveness } from '@deploy-engine/action-kit';
import type { WorkflowRunLiveness, WorkflowRunRef } from '@deploy-engine/core';
import {
  HARNESS_GITHUB_TOKEN,
  startFakeGitHubApi,
  type FakeGitHubApi,
} from '../harness/github-api';

let api: FakeGitHubApi;

beforeAll(async () => {
  api = await startFakeGitHubApi();
});

afterAll(async () => {
  await api?.close();
});

const ref = (overrides: Partial<WorkflowRunRef> = {}): WorkflowRunRef => ({
  repository: 'acme/orders',
  runId: '77',
  attempt: 1,
  apiUrl: api.url,
  url: 'https://github.com/acme/orders/actions/runs/77',
  ...overrides,
});

function liveness(token = HARNESS_GITHUB_TOKEN, fetcher?: typeof fetch): WorkflowRunLiveness {
  const env = { GITHUB_ACTIONS: 'true', GITHUB_API_URL: `${api.url}/` };
  return githubLiveness(token, env, fetcher) as WorkflowRunLiveness;
}

it('is not there outside GitHub Actions: GitHub is never asked', () => {
  expect(githubLiveness('t', { GITHUB_API_URL: api.url })).toBeUndefined();
  expect(githubLiveness('t', { GITHUB_ACTIONS: 'false', GITHUB_API_URL: api.url })).toBeUndefined();
});

it('asks about the attempt with the job token and reads completed and running answers', async () => {
  api.setWorkflowRun('acme/orders', '77', { status: 'completed', conclusion: 'cancelled' }, 1);
  api.setWorkflowRun('acme/orders', '77', { status: 'in_progress', conclusion: null }, 2);
  expect(await liveness().check(ref())).toEqual({ state: 'completed', conclusion: 'cancelled' });
  expect(await liveness().check(ref({ attempt: 2 }))).toEqual({
    state: 'running',
    status: 'in_progress',
  });
  expect(api.requests.slice(-2)).toEqual([
    {
      method: 'GET',
      path: '/repos/acme/orders/actions/runs/77/attempts/1',
      token: HARNESS_GITHUB_TOKEN,
    },
    {
      method: 'GET',
      path: '/repos/acme/orders/actions/runs/77/attempts/2',
      token: HARNESS_GITHUB_TOKEN,
    },
  ]);
});

it('says why there is no answer, and what to do', async () => {
  expect(await liveness('ghs_wrong').check(ref())).toMatchObject({
    state: 'unknown',
    reason: 'GitHub refused the job token (401 Bad credentials)',
    hint: expect.stringContaining('permissions: actions: read'),
    retryable: false,
  });
  expect(await liveness().check(ref({ runId: '404404' }))).toMatchObject({
    state: 'unknown',
    reason: expect.stringContaining('(404)'),
    retryable: false,
  });
  expect(await liveness('').check(ref())).toMatchObject({ reason: 'GITHUB_TOKEN is empty' });
  for (const [status, retryable] of [
    [403, false],
    [502, true],
  ] as const) {
    api.fail(status);
    expect(await liveness().check(ref())).toMatchObject({ state: 'unknown', retryable });
  }
  api.fail('drop');
  expect(await liveness().check(ref())).toMatchObject({
    state: 'unknown',
    reason: expect.stringContaining('could not be reached'),
    retryable: true,
  });
  api.fail(undefined);
  const limited = async (): Promise<Response> =>
    new Response('{}', { status: 403, headers: { 'x-ratelimit-remaining': '0' } });
  expect(await liveness(HARNESS_GITHUB_TOKEN, limited).check(ref())).toMatchObject({
    reason: expect.stringContaining('rate limit is used up'),
    retryable: true,
  });
});

it('never sends the token to an address from the run record, nor a path it shaped', async () => {
  const before = api.requests.length;
  for (const hostile of [
    ref({ apiUrl: 'https://evil.example' }),
    ref({ repository: '../../user' }),
    ref({ runId: '1/../../x' }),
    ref({ attempt: 0 }),
  ])
    expect(await liveness().check(hostile)).toMatchObject({ state: 'unknown' });
  expect(api.requests.length).toBe(before);
});
