/**
 * Who approved the environment, read from GitHub's REST API (the fake one on loopback): recorded
 * when the token can read it, and otherwise the reason, never an exception. GitHub is never
 * called outside GitHub Actions.
 */
import { readApprovals, runAudit } from '@deploy-engine/action-kit';
import {
  HARNESS_GITHUB_TOKEN,
  startFakeGitHubApi,
  type FakeGitHubApi,
} from '../harness/github-api';

let api: FakeGitHubApi;
const now = () => new Date('2026-01-01T00:00:00.000Z');

beforeAll(async () => {
  api = await startFakeGitHubApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => api.fail(undefined));

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/orders',
    GITHUB_RUN_ID: '4242',
    GITHUB_API_URL: api.url,
    ...extra,
  };
}

it('records every review of the workflow run: who, state, environments, comment', async () => {
  api.setApprovals('acme/orders', '4242', [
    { state: 'approved', login: 'alice', environments: ['prod'], comment: 'ship it' },
    { state: 'rejected', login: 'bob', environments: ['prod', 'eu'] },
  ]);
  const approval = await readApprovals({ token: HARNESS_GITHUB_TOKEN, env: env(), now });
  expect(approval).toEqual({
    readAt: '2026-01-01T00:00:00.000Z',
    reviews: [
      { state: 'approved', login: 'alice', environments: ['prod'], comment: 'ship it' },
      { state: 'rejected', login: 'bob', environments: ['prod', 'eu'] },
    ],
  });
  expect(api.requests.at(-1)).toEqual({
    method: 'GET',
    path: '/repos/acme/orders/actions/runs/4242/approvals',
    token: HARNESS_GITHUB_TOKEN,
  });
});

it('a token GitHub refuses (403, 401, 404) gives the reason and the permission to grant', async () => {
  api.fail(403);
  const refused = await readApprovals({ token: HARNESS_GITHUB_TOKEN, env: env(), now });
  expect(refused.reviews).toBeUndefined();
  expect(refused.unavailable).toContain('GitHub answered 403');
  expect(refused.unavailable).toContain('permissions: actions: read');
  api.fail(undefined);
  const wrongToken = await readApprovals({ token: 'ghs_other', env: env(), now });
  expect(wrongToken.unavailable).toContain('GitHub answered 401');
  api.fail(500);
  expect((await readApprovals({ token: HARNESS_GITHUB_TOKEN, env: env() })).unavailable).toBe(
    'GitHub answered 500.',
  );
});

it('an unreachable API, or an answer that is not a list of reviews, is a reason too', async () => {
  const closed = await readApprovals({
    token: HARNESS_GITHUB_TOKEN,
    env: env({ GITHUB_API_URL: 'http://127.0.0.1:9' }),
  });
  expect(closed.unavailable).toMatch(
    /^GitHub's API \(http:\/\/127.0.0.1:9\) could not be reached \(.+\)\.$/,
  );
  // The fake answers a workflow run object (not a list) for this path.
  api.setWorkflowRun('acme/orders', '77', { status: 'completed', conclusion: 'success' });
  const other = await readApprovals({
    token: HARNESS_GITHUB_TOKEN,
    env: env({ GITHUB_API_URL: `${api.url}/repos/acme/orders/actions/runs/77#` }),
  });
  expect(other.unavailable).toBeDefined();
});

it('never calls GitHub outside GitHub Actions, nor without a token', async () => {
  const seen = api.requests.length;
  const outside = await readApprovals({
    token: HARNESS_GITHUB_TOKEN,
    env: env({ GITHUB_ACTIONS: '' }),
  });
  expect(outside.unavailable).toContain('not running under GitHub Actions');
  const noToken = await readApprovals({ token: '', env: env() });
  expect(noToken.unavailable).toContain('GITHUB_TOKEN input is empty');
  const badRepository = await readApprovals({
    token: HARNESS_GITHUB_TOKEN,
    env: env({ GITHUB_REPOSITORY: '../../evil' }),
  });
  expect(badRepository.unavailable).toContain('GITHUB_REPOSITORY or GITHUB_RUN_ID');
  expect(api.requests.length).toBe(seen);
});

it('keeps no more than it must from what GitHub says: unknown shapes dropped, long text cut', async () => {
  api.setApprovals('acme/orders', '4242', [
    {
      state: 'approved',
      login: 'a'.repeat(500),
      environments: ['prod'],
      comment: 'c'.repeat(5000),
    },
  ]);
  const approval = await readApprovals({ token: HARNESS_GITHUB_TOKEN, env: env() });
  const [review] = approval.reviews ?? [];
  expect(review?.login).toHaveLength(100);
  expect(review?.comment).toHaveLength(1000);
});

describe('runAudit', () => {
  it("under GitHub Actions: the runner's variables, REPOSITORY_NAME kept apart as given", () => {
    expect(
      runAudit('someone/else', {
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'octocat',
        GITHUB_TRIGGERING_ACTOR: 'hubot',
        GITHUB_REPOSITORY: 'acme/orders',
        GITHUB_SHA: 'abc123',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '7',
      }),
    ).toEqual({
      source: 'github',
      actor: 'octocat',
      triggeringActor: 'hubot',
      repository: 'acme/orders',
      repositoryNameInput: 'someone/else',
      commit: 'abc123',
      ref: 'refs/heads/main',
      eventName: 'workflow_dispatch',
      workflowRunUrl: 'https://github.com/acme/orders/actions/runs/7',
    });
  });

  it('elsewhere: only who the environment says it is, marked unverified', () => {
    expect(
      runAudit('acme/orders', { USER: 'dev', GITHUB_SHA: 'forged', GITHUB_REPOSITORY: 'x/y' }),
    ).toEqual({ source: 'unverified', actor: 'dev', repositoryNameInput: 'acme/orders' });
  });
});
