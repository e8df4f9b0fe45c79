import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigurationError } from '@deploy-engine/core';
import { fakeInputs } from '../../../test/support/fake-inputs';
import { readPathToMount, readWorkdir, type CheckoutEnvironment } from './checkout-paths';

/** A runner's workspace holding a checkout with `infra/.stk`, a file, and links in and out. */
function runner(): { workspace: string; env: CheckoutEnvironment; outside: string } {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'checkout-paths-')));
  const workspace = join(top, 'work', 'app', 'app');
  mkdirSync(join(workspace, 'infra', '.stk'), { recursive: true });
  mkdirSync(join(workspace, 'sub', 'repo'), { recursive: true });
  writeFileSync(join(workspace, 'README.md'), 'x');
  const outside = join(top, 'secrets');
  mkdirSync(join(outside, '.stk'), { recursive: true });
  symlinkSync(outside, join(workspace, 'escape'));
  symlinkSync(join(workspace, 'infra'), join(workspace, 'alias'));
  return { workspace, env: { workspace, cwd: workspace }, outside };
}

function read(values: Record<string, string>, env: CheckoutEnvironment) {
  const { parser } = fakeInputs(values);
  const checkout = readPathToMount(parser, env);
  const workdir = readWorkdir(parser, checkout);
  let problems: string[] = [];
  try {
    parser.finish('test');
  } catch (error) {
    problems = (error as ConfigurationError).problems.map((p) => p.message);
  }
  return { root: checkout.root, workdir, problems, notices: parser.notices() };
}

describe('PATH_TO_MOUNT', () => {
  it('is GITHUB_WORKSPACE when not given, and any folder inside it when given', () => {
    const { workspace, env } = runner();
    expect(read({}, env)).toMatchObject({ root: workspace, workdir: './', problems: [] });
    expect(read({ PATH_TO_MOUNT: workspace }, env)).toMatchObject({ root: workspace });
    expect(read({ PATH_TO_MOUNT: 'sub/repo' }, env)).toMatchObject({
      root: join(workspace, 'sub', 'repo'),
      problems: [],
    });
  });

  it("reads StackSpot's documented /home/runner/_work/<repo>/<repo> as GITHUB_WORKSPACE, with one notice", () => {
    const { workspace, env } = runner();
    const result = read({ PATH_TO_MOUNT: '/home/runner/_work/orders/orders' }, env);
    expect(result).toMatchObject({ root: workspace, problems: [] });
    expect(result.notices).toEqual([
      expect.stringContaining(
        `PATH_TO_MOUNT '/home/runner/_work/orders/orders' is where StackSpot's container action saw the checkout`,
      ),
    ]);
  });

  it.each([
    ['/does/not/exist', /Input PATH_TO_MOUNT '\/does\/not\/exist' does not exist on this runner/],
    // The layout's two names must be the same, as the runner makes them.
    ['/home/runner/_work/orders/other', /PATH_TO_MOUNT .* does not exist on this runner/],
    ['README.md', /PATH_TO_MOUNT 'README.md' is not a folder/],
    ['..', /PATH_TO_MOUNT '..' is outside the checkout GITHUB_WORKSPACE/],
    ['/', /PATH_TO_MOUNT '\/' is outside the checkout GITHUB_WORKSPACE/],
    ['escape', /PATH_TO_MOUNT 'escape' is outside the checkout GITHUB_WORKSPACE/],
  ])('refuses %s, naming PATH_TO_MOUNT and not WORKDIR', (value, message) => {
    const { env } = runner();
    const result = read({ PATH_TO_MOUNT: value, WORKDIR: 'infra' }, env);
    expect(result.problems).toEqual([expect.stringMatching(message)]);
    expect(result.root).toBeUndefined();
  });

  it('refuses the documented layout when there is no workspace to read it as', () => {
    const cwd = runner().workspace;
    expect(read({ PATH_TO_MOUNT: '/home/runner/_work/a/a' }, { cwd }).problems).toEqual([
      expect.stringMatching(/PATH_TO_MOUNT .* does not exist on this runner/),
    ]);
  });
});

describe('WORKDIR', () => {
  it('is relative to PATH_TO_MOUNT, or absolute inside it in any form the workflow names it', () => {
    const { workspace, env } = runner();
    expect(read({ WORKDIR: 'infra' }, env).workdir).toBe('infra');
    expect(read({ WORKDIR: './' }, env).workdir).toBe('./');
    expect(read({ WORKDIR: join(workspace, 'infra') }, env).workdir).toBe('infra');
    expect(read({ WORKDIR: workspace }, env).workdir).toBe('./');
    expect(read({ WORKDIR: 'alias' }, env).workdir).toBe('alias'); // a link inside is fine
    // StackSpot's documented form, with PATH_TO_MOUNT in the same form or not given at all.
    const documented = {
      PATH_TO_MOUNT: '/home/runner/_work/orders/orders',
      WORKDIR: '/home/runner/_work/orders/orders/infra',
    };
    expect(read(documented, env)).toMatchObject({ workdir: 'infra', problems: [] });
    expect(read({ WORKDIR: documented.WORKDIR }, env)).toMatchObject({
      workdir: 'infra',
      problems: [],
    });
    // Relative to a PATH_TO_MOUNT that is a folder of the workspace.
    expect(
      read({ PATH_TO_MOUNT: 'sub', WORKDIR: join(workspace, 'sub', 'repo') }, env),
    ).toMatchObject({ workdir: 'repo', problems: [] });
  });

  it.each([
    ['../../..', /Input WORKDIR '..\/..\/..' leaves the checkout \(PATH_TO_MOUNT\)/],
    ['infra/../../x', /Input WORKDIR .* leaves the checkout/],
    [
      'escape',
      /Input WORKDIR 'escape' leads outside the checkout \(PATH_TO_MOUNT\) through a symbolic link/,
    ],
    ['/etc', /Input WORKDIR '\/etc' is absolute and not inside PATH_TO_MOUNT/],
    ['/home/runner/_work/orders/orders/../../../../etc', /WORKDIR .* is absolute and not inside/],
    ['/home/runner/_work/orders/orders/escape', /WORKDIR .* through a symbolic link/],
  ])('refuses %s, naming WORKDIR', (value, message) => {
    const { env } = runner();
    const result = read({ WORKDIR: value }, env);
    expect(result.problems).toEqual([expect.stringMatching(message)]);
  });

  it('refuses an absolute WORKDIR outside a PATH_TO_MOUNT inside the workspace', () => {
    const { workspace, env, outside } = runner();
    expect(read({ PATH_TO_MOUNT: 'sub', WORKDIR: join(workspace, 'infra') }, env).problems).toEqual(
      [expect.stringMatching(/WORKDIR .* is absolute and not inside PATH_TO_MOUNT \(sub\)/)],
    );
    expect(read({ WORKDIR: outside }, env).problems).toEqual([
      expect.stringMatching(/WORKDIR .* is absolute and not inside PATH_TO_MOUNT/),
    ]);
  });
});
