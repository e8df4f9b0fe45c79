import { escapeHtml } from './html';
import {
  deployingRepository,
  LOCAL_REPOSITORY,
  runnerRepository,
  workflowRunRef,
  workflowRunUrl,
} from './workflow-run';

describe('workflowRunUrl', () => {
  it('links the run, with the attempt when it is a re-run', () => {
    const env = {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/orders',
      GITHUB_RUN_ID: '42',
    };
    expect(workflowRunUrl(env)).toBe('https://github.com/acme/orders/actions/runs/42');
    expect(workflowRunUrl({ ...env, GITHUB_RUN_ATTEMPT: '3' })).toBe(
      'https://github.com/acme/orders/actions/runs/42/attempts/3',
    );
  });

  it('says so outside GitHub', () => {
    expect(workflowRunUrl({})).toBe('unknown (not started by a GitHub workflow)');
  });
});

describe('workflowRunRef', () => {
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/orders',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_API_URL: 'https://ghe.acme.example/api/v3/',
  };

  it('names the attempt and the API the runner gives', () => {
    expect(workflowRunRef(env)).toEqual({
      repository: 'acme/orders',
      runId: '42',
      attempt: 2,
      apiUrl: 'https://ghe.acme.example/api/v3',
      url: 'https://github.com/acme/orders/actions/runs/42/attempts/2',
    });
    expect(workflowRunRef({ ...env, GITHUB_API_URL: '', GITHUB_RUN_ATTEMPT: '' })).toMatchObject({
      attempt: 1,
      apiUrl: 'https://api.github.com',
    });
  });

  it('records none outside GitHub Actions, or for variables that name no run', () => {
    expect(workflowRunRef({ ...env, GITHUB_ACTIONS: 'false' })).toBeUndefined();
    expect(workflowRunRef({ ...env, GITHUB_RUN_ID: '42/../1' })).toBeUndefined();
  });
});

describe('escapeHtml', () => {
  it('escapes what could break or inject markup', () => {
    expect(escapeHtml('<img src="x" onerror=alert(1)> & co')).toBe(
      '&lt;img src=&quot;x&quot; onerror=alert(1)&gt; &amp; co',
    );
  });

  it('leaves no Markdown link, image, code span or blank line for GitHub to render', () => {
    const hostile = 'x\n\n![t](https://evil.example/p.png) [Approve](https://evil.example) `c` \\[';
    const escaped = escapeHtml(hostile);
    expect(escaped).not.toMatch(/[\n\r[\]`\\]/);
    expect(escaped).toBe(
      'x&#10;&#10;!&#91;t&#93;(https://evil.example/p.png) &#91;Approve&#93;(https://evil.example) &#96;c&#96; &#92;&#91;',
    );
  });
});

describe('runnerRepository', () => {
  it("is the runner's GITHUB_REPOSITORY under GitHub Actions only", () => {
    expect(runnerRepository({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/orders' })).toBe(
      'acme/orders',
    );
    expect(runnerRepository({ GITHUB_REPOSITORY: 'acme/orders' })).toBeUndefined();
    expect(
      runnerRepository({ GITHUB_ACTIONS: 'false', GITHUB_REPOSITORY: 'acme/orders' }),
    ).toBeUndefined();
    expect(runnerRepository({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: '' })).toBeUndefined();
  });
});

describe('deployingRepository', () => {
  const github = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/orders',
    GITHUB_WORKFLOW_REF: 'acme/orders/.github/workflows/deploy.yml@refs/heads/main',
  };

  it('takes what the runner says on GitHub, whatever REPOSITORY_NAME claims (with a warning)', () => {
    expect(deployingRepository('', github)).toEqual({
      from: {
        repository: 'acme/orders',
        workflow: '.github/workflows/deploy.yml',
        source: 'github',
      },
    });
    const claimed = deployingRepository('victim/app', github);
    expect(claimed.from.repository).toBe('acme/orders');
    expect(claimed.warning).toContain('REPOSITORY_NAME is victim/app');
    // StackSpot's documented workflow passes ${{ github.event.repository.name }}: the same
    // repository, named without its owner, is no reason to warn; another bare name is.
    expect(deployingRepository('orders', github).warning).toBeUndefined();
    expect(deployingRepository('billing', github).warning).toContain('REPOSITORY_NAME is billing');
  });

  it('uses REPOSITORY_NAME outside GitHub, else the stated default', () => {
    expect(deployingRepository('acme/x', {}).from).toEqual({
      repository: 'acme/x',
      source: 'input',
    });
    expect(deployingRepository('', { GITHUB_REPOSITORY: 'acme/orders' }).from).toEqual({
      repository: LOCAL_REPOSITORY,
      source: 'default',
    });
    expect(() => deployingRepository('not a repo', {})).toThrow(/is not a repository name/);
  });
});
