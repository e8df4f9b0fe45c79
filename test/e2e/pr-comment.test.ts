/**
 * PR_COMMENT through the orchestrate-and-plan bundle: on a pull request the plan is posted as one
 * comment and the next plan for the same target edits that comment, showing what real Terraform
 * plans attribute by attribute (an update, a sensitive value masked, a replacement and what forces
 * it, hostile text kept inert, a long value cut). GitHub's REST API is a small server on 127.0.0.1
 * (GITHUB_API_URL), recording what the action asked for.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { e2eFixture } from '../harness/e2e-fixture';
import { runAction, type ActionResult } from '../harness/runner';

interface Comment {
  id: number;
  body: string;
  html_url: string;
}

const flow = e2eFixture({ name: 'pr' });
let api: Server;
let apiUrl: string;
const comments: Comment[] = [];
const requests: { method: string; url: string; auth: string }[] = [];
let failWith = 0;

async function readBody(request: IncomingMessage): Promise<{ body?: string }> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text ? (JSON.parse(text) as { body?: string }) : {};
}

beforeAll(async () => {
  api = createServer((request, response) => {
    void (async () => {
      const url = request.url ?? '';
      requests.push({
        method: request.method ?? '',
        url,
        auth: request.headers.authorization ?? '',
      });
      const body = await readBody(request);
      const reply = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (failWith) return reply(failWith, { message: 'Resource not accessible by integration' });
      if (request.method === 'GET' && url.startsWith('/repos/acme/orders/issues/7/comments')) {
        return reply(200, comments);
      }
      if (request.method === 'POST' && url === '/repos/acme/orders/issues/7/comments') {
        const id = comments.length + 100;
        const comment = { id, body: body.body ?? '', html_url: `https://github.com/c/${id}` };
        comments.push(comment);
        return reply(201, comment);
      }
      const patch = /^\/repos\/acme\/orders\/issues\/comments\/(\d+)$/.exec(url);
      if (request.method === 'PATCH' && patch) {
        const comment = comments.find((c) => c.id === Number(patch[1]));
        if (!comment) return reply(404, { message: 'Not Found' });
        comment.body = body.body ?? '';
        return reply(200, comment);
      }
      return reply(404, { message: `no route ${request.method} ${url}` });
    })();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  // Someone else's comment is on the PR already: it must be left alone.
  comments.push({ id: 1, body: 'LGTM', html_url: 'https://github.com/c/1' });
});

afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
});

function plan(version: string, label: string): Promise<ActionResult> {
  return runAction('orchestrate-and-plan', {
    workspace: flow.checkout,
    env: flow.stepEnv({ GITHUB_API_URL: apiUrl }),
    event: { name: 'pull_request', payload: { pull_request: { number: 7 } } },
    with: {
      TFSTATE_BUCKET_NAME: 'pr-tfstate',
      IAC_BUCKET_NAME: 'pr-iac',
      WORKSPACE: 'shop',
      ENVIRONMENT: 'dev',
      VERSION: version,
      WORKDIR: 'review',
      PLUGINS_PATH: 'plugins',
      DYNAMIC_INPUTS: `--label ${label}`,
      PR_COMMENT: 'true',
    },
  });
}

async function apply(result: ActionResult): Promise<void> {
  const applied = await runAction('runtime-tasks', {
    workspace: flow.checkout,
    env: flow.stepEnv(),
    with: { RUN_ID: result.outputs.run_id ?? '', TASK_LIST: result.outputs.apply_tasks ?? '' },
  });
  expect([applied.exitCode, applied.log]).toEqual([0, expect.any(String)]);
}

async function cancel(result: ActionResult): Promise<void> {
  const cancelled = await runAction('cancel-run', {
    env: flow.stepEnv(),
    with: { RUN_ID: result.outputs.run_id ?? '' },
  });
  expect(cancelled.exitCode).toBe(0);
}

it('posts the plan as one comment on the pull request, then edits that same comment', async () => {
  const first = await plan('v1', 'one');
  expect([first.exitCode, first.log]).toEqual([0, expect.stringContaining('PR_COMMENT: created')]);
  expect(comments).toHaveLength(2);
  expect(comments[1]?.body).toMatch(/^<!-- deploy-engine-actions plan shop\/dev\/app\/01JREVIEW/);
  expect(comments[1]?.body).toContain('Plan of r: 5 to add');
  expect(comments[1]?.body).toContain('waits for approval');
  expect(requests.every((r) => r.auth === 'token ghs_harnessFakeToken000000000000000000')).toBe(
    true,
  );
  expect(first.log).not.toContain('ghs_harnessFakeToken');
  await apply(first);

  const second = await plan('v2', 'two');
  expect([second.exitCode, second.log]).toEqual([
    0,
    expect.stringContaining('PR_COMMENT: updated'),
  ]);
  expect(comments).toHaveLength(2);
  expect(comments[0]?.body).toBe('LGTM');
  const body = comments[1]?.body ?? '';
  expect(body).toContain('Version <code>v2</code>');
  await cancel(second);

  // What real Terraform plans, attribute by attribute, in the comment and in the job summary.
  for (const html of [body, second.summary]) {
    expect(html).toContain(
      '<details open><summary>⚠️ Plan of r: 0 to add, 4 to change, <strong>0 to destroy, 1 to replace</strong></summary>',
    );
    expect(html).toContain(
      '<code>terraform_data.value</code></td><td><code>input</code>: <code>&quot;one&quot;</code> → <code>&quot;two&quot;</code>',
    );
    expect(html).toMatch(
      /<code>terraform_data\.pinned<\/code><br>forced by <code>triggers_replace<\/code>; [^<]*; destroy before create<\/td><td><code>triggers_replace<\/code>: <code>&quot;one&quot;<\/code> → <code>&quot;two&quot;<\/code> <strong>\(forces replacement\)<\/strong>/,
    );
    expect(html).toContain(
      '<code>input</code>: <em>(sensitive value)</em> → <em>(sensitive value)</em>',
    );
    // terraform_data's output does not keep the mark in Terraform's plan: masked all the same.
    expect(html).toContain(
      '<code>output</code>: <em>(sensitive value)</em> → <em>(known after apply)</em>',
    );
    expect(html).not.toContain('tok3n');
    expect(html).toMatch(
      /<code>&quot;one0123456789[0-9]*…<\/code> → <code>&quot;two0123456789[0-9]*…<\/code> ✂️/,
    );
    expect(html).toContain('Full plan text: <code>s3://pr-iac/runs/');
    for (const bad of ['<script', '@octocat', '`tick`', '| pipe |'])
      expect(html).not.toContain(bad);
    expect(html.match(/<details/g)?.length).toBe(html.match(/<\/details>/g)?.length);
  }
}, 180000);

it('keeps the plan when the comment cannot be written, with a warning that says what to grant', async () => {
  failWith = 403;
  try {
    const result = await plan('v3', 'three');
    expect(result.exitCode).toBe(0);
    expect(result.outputs.run_id).not.toBe('');
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('permissions: pull-requests: write'),
      }),
    );
    await cancel(result);
  } finally {
    failWith = 0;
  }
}, 120000);
