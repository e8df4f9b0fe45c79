/**
 * GitHub's REST API as the actions read it, on 127.0.0.1: workflow runs (and their attempts) and
 * the environment approvals of a run. A test sets what GitHub would say (`setWorkflowRun`,
 * `setApprovals`) and points the step at it with GITHUB_API_URL (the variable the runner sets and
 * @actions/github reads). Requests without the expected token are answered 401, as GitHub does;
 * every request is recorded (method, path, the token it carried) so a test can prove what was asked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A workflow run as GitHub's `GET /repos/{owner}/{repo}/actions/runs/{id}` describes it. */
export interface FakeWorkflowRun {
  /** queued | in_progress | waiting | requested | pending | completed */
  status: string;
  /** success | failure | cancelled | skipped | timed_out | action_required | ... (null while running) */
  conclusion: string | null;
  /** The latest attempt (re-runs make more). */
  runAttempt?: number;
}

/** An environment review, as `GET .../actions/runs/{id}/approvals` lists it. */
export interface FakeApproval {
  state: 'approved' | 'rejected';
  login: string;
  environments: string[];
  comment?: string;
}

export interface SeenGitHubRequest {
  method: string;
  path: string;
  /** The token of the Authorization header ('' when none). */
  token: string;
}

export interface FakeGitHubApi {
  /** e.g. http://127.0.0.1:41234 (what GITHUB_API_URL is set to). */
  readonly url: string;
  readonly requests: SeenGitHubRequest[];
  /** What GitHub says of run `id` of `repository` (owner/name); attempts share it unless set apart. */
  setWorkflowRun(repository: string, id: string, run: FakeWorkflowRun, attempt?: number): void;
  setApprovals(repository: string, id: string, approvals: FakeApproval[]): void;
  /**
   * Every later request is answered with this status (500, 403...), or its connection dropped
   * unanswered ('drop': GitHub unreachable), until `fail(undefined)`.
   */
  fail(status: number | 'drop' | undefined): void;
  close(): Promise<void>;
}

/** The token the runner harness gives `${{ github.token }}` (see runner.ts). */
export const HARNESS_GITHUB_TOKEN = 'ghs_harnessFakeToken000000000000000000';

export async function startFakeGitHubApi(options: { token?: string } = {}): Promise<FakeGitHubApi> {
  const token = options.token ?? HARNESS_GITHUB_TOKEN;
  const runs = new Map<string, FakeWorkflowRun>();
  const approvals = new Map<string, FakeApproval[]>();
  const requests: SeenGitHubRequest[] = [];
  let failing: number | 'drop' | undefined;

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
    const auth = req.headers.authorization ?? '';
    const given = auth.replace(/^(token|bearer)\s+/i, '');
    requests.push({ method: req.method ?? 'GET', path, token: auth ? given : '' });
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (failing === 'drop') return void req.socket.destroy();
    if (failing !== undefined) return send(failing, { message: `fake failure ${failing}` });
    if (given !== token) return send(401, { message: 'Bad credentials' });
    const match =
      /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+)|\/(approvals))?$/.exec(
        path,
      );
    if (!match || req.method !== 'GET') return send(404, { message: 'Not Found' });
    const [, repository, id, attempt, wantsApprovals] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    if (wantsApprovals) {
      const list = approvals.get(`${repository}#${id}`) ?? [];
      return send(
        200,
        list.map((a) => ({
          state: a.state,
          comment: a.comment ?? '',
          user: { login: a.login },
          environments: a.environments.map((name) => ({ name })),
        })),
      );
    }
    const run =
      (attempt !== undefined ? runs.get(`${repository}#${id}#${attempt}`) : undefined) ??
      runs.get(`${repository}#${id}`);
    if (!run) return send(404, { message: 'Not Found' });
    const runAttempt = attempt !== undefined ? Number(attempt) : (run.runAttempt ?? 1);
    return send(200, {
      id: Number(id),
      status: run.status,
      conclusion: run.conclusion,
      run_attempt: runAttempt,
      html_url: `https://github.com/${repository}/actions/runs/${id}`,
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setWorkflowRun(repository, id, run, attempt) {
      runs.set(
        attempt === undefined ? `${repository}#${id}` : `${repository}#${id}#${attempt}`,
        run,
      );
    },
    setApprovals(repository, id, list) {
      approvals.set(`${repository}#${id}`, list);
    },
    fail(status) {
      failing = status;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
