/**
 * Applications stay in their lane, through the built bundles (real Terraform, moto_server on
 * 127.0.0.1): a producer's sensitive output stays secret in its consumers, an application cannot
 * take another's Connection Interface (refused before a run is opened; free again once the owner
 * destroyed it), and another repository cannot use an application's app-id until a person moves
 * it with the CLI.
 */
import { e2eFixture } from '../harness/e2e-fixture';
import { errorsOf, expectOk } from '../harness/expect-step';
import { leaksOf } from '../harness/leaks';
import type { ActionResult } from '../harness/runner';

const flow = e2eFixture({ name: 'own' });

const PRODUCER = '01JPR0DUCER000000000000000';
const INTRUDER = '01J1NTRUDER000000000000000';
const TOKEN = 'tok-first-7f3a9c';
const INSTANCE_KEY = 'workspaces/shop/dev/connection-interfaces/api-conn.json';
const EVIL = { GITHUB_REPOSITORY: 'evil/fork' };

beforeAll(async () => {
  // No Connection Interface Type anywhere: only Terraform's `sensitive` says the token is secret.
  flow.writeApp('producer', PRODUCER, producer('first'));
  flow.writeApp('intruder', INTRUDER, producer('evil'));
  flow.writeApp(
    'client',
    '01JC1IENT00000000000000000',
    `    - name: acme/typed-consumer@1.0.0
      alias: use
      type: infra
      inputs:
        upstream: { stk-type: required-connection, selected: api-conn, type: typed-conn }
`,
  );
});

function producer(seed: string): string {
  return `    - name: acme/typed-producer@1.0.0
      alias: api
      type: infra
      inputs:
        seed: ${seed}
        out: { stk-type: generated-connection, selected: api-conn, type: typed-conn }
`;
}

async function deploy(
  workdir: string,
  withInputs: Record<string, string> = {},
): Promise<{ plan: ActionResult; applied: ActionResult }> {
  const plan = await flow.orchestrate(workdir, withInputs);
  expectOk(plan);
  const applied = await flow.apply(plan);
  expectOk(applied);
  return { plan, applied };
}

const stored = async (): Promise<string> => flow.moto.getObjectText(flow.iacBucket, INSTANCE_KEY);

it('keeps a sensitive producer output secret: recorded, and masked in the consumer', async () => {
  const produced = await deploy('producer');
  const instance = JSON.parse(await stored()) as Record<string, unknown>;
  expect(instance).toMatchObject({
    attributes: { token: TOKEN },
    secretAttributes: ['token'],
    owner: { appKind: 'app', appId: PRODUCER, appName: 'producer', repository: 'acme/orders' },
  });
  // Planned before approval with the token in a resource: Terraform prints it, masked.
  const consumed = await deploy('client');
  expect(consumed.plan.stdout).toContain('terraform_data.auth will be created');
  expect(consumed.plan.masks).toContain(TOKEN);
  for (const step of [produced.plan, produced.applied, consumed.plan, consumed.applied])
    expect(leaksOf(step, TOKEN)).toEqual([]);
  const view = await flow.cli(['workspace', '--environment', 'dev']);
  expect(view.output).toContain('token=***');
  expect(view.output).not.toContain(TOKEN);
  expect(view.output).toContain(`owned by app:producer (${PRODUCER}), repository acme/orders`);
});

it('refuses an application generating an interface another owns, before any run, naming both', async () => {
  const runsBefore = (await flow.runs()).length;
  const before = await stored();
  const plan = await flow.orchestrate('intruder');
  expect(plan.exitCode).toBe(1);
  expect(errorsOf(plan)).toContain(
    `Connection Interface api-conn in shop/dev belongs to app:producer (${PRODUCER}, repository acme/orders)`,
  );
  expect(errorsOf(plan)).toContain(
    `app:intruder (${INTRUDER}) generates an interface of the same name`,
  );
  expect(plan.annotations).toContainEqual(
    expect.objectContaining({
      properties: expect.objectContaining({ file: 'intruder/.stk/stk.yaml' }),
    }),
  );
  expect(plan.outputs.run_id ?? '').toBe('');
  expect(await flow.runs()).toHaveLength(runsBefore);
  expect(await flow.lockKeys()).toEqual([]);
  expect(await stored()).toBe(before);
  expect(await flow.stateSerials()).not.toHaveProperty(
    `shop/dev/app/${INTRUDER}/api/terraform.tfstate`,
  );
});

it('refuses another repository using the app-id before any lock or plan, until a takeover', async () => {
  const runsBefore = (await flow.runs()).length;
  const evil = await flow.orchestrate('producer', {}, { env: EVIL });
  expect(evil.exitCode).toBe(1);
  expect(errorsOf(evil)).toContain(
    `app:producer (app-id ${PRODUCER}) in workspace shop is deployed from repository acme/orders (bound by its first run`,
  );
  expect(errorsOf(evil)).toContain('this run comes from repository evil/fork');
  expect(errorsOf(evil)).toContain(
    `deploy-engine apps takeover ${PRODUCER} --repository evil/fork --bucket ${flow.iacBucket} --workspace shop`,
  );
  expect(await flow.runs()).toHaveLength(runsBefore);
  expect(await flow.lockKeys()).toEqual([]);
  // Nothing of the application was planned or shown.
  expect(evil.stdout).not.toMatch(/Plan of|will be (created|destroyed)|Initializing|RUN /);
  expect(evil.stdout + evil.summary).not.toContain('https://first.example.internal');
  expect(evil.summary).not.toContain('api');

  const shown = await flow.cli(['apps', 'show', PRODUCER]);
  expect(shown.output).toContain('deployed from repository acme/orders');
  const moved = await flow.cli([
    'apps',
    'takeover',
    PRODUCER,
    '--repository',
    'evil/fork',
    '--by',
    'alice',
  ]);
  expect([moved.code, moved.output]).toEqual([
    0,
    expect.stringContaining('moved from repository acme/orders to evil/fork (by alice)'),
  ]);
  const taken = await flow.orchestrate('producer', {}, { env: EVIL });
  expectOk(taken);
  expectOk(await flow.cancel(taken.outputs.run_id ?? ''));
  // Now the old repository is the other one.
  const old = await flow.orchestrate('producer');
  expect(old.exitCode).toBe(1);
  expect(errorsOf(old)).toContain('is deployed from repository evil/fork (taken over by alice at');
  const history = await flow.cli(['apps', 'show', PRODUCER]);
  expect(history.output).toMatch(
    /1\. \S+ first-run to acme\/orders by https:\/\/github\.com\/acme\/orders\/actions\/runs\/4242/,
  );
  expect(history.output).toMatch(/2\. \S+ takeover from acme\/orders to evil\/fork by alice/);
  expect((await flow.cli(['apps', 'takeover', PRODUCER, '--repository', 'acme/orders'])).code).toBe(
    0,
  );
});

it('frees the name once the owner destroyed its producer: then another application may take it', async () => {
  const destroyed = await deploy('producer', { DESTROY: 'true', FORCE_DESTROY: 'true' });
  expect(destroyed.applied.log).toContain('Removed Connection Interface(s): api-conn.');
  expect(await flow.moto.listKeys(flow.iacBucket, INSTANCE_KEY)).toEqual([]);
  await deploy('intruder');
  const instance = JSON.parse(await stored()) as { owner: { appId: string }; attributes: unknown };
  expect(instance.owner.appId).toBe(INTRUDER);
  expect(instance.attributes).toMatchObject({ token: 'tok-evil-7f3a9c' });
});
