/**
 * PATH_TO_MOUNT and WORKDIR: where the checkout is and which folder of it holds `.stk/`.
 *
 * StackSpot's actions ran in a container that mounted the runner's checkout, so its documented
 * workflow passes the host path `/home/runner/_work/<repo>/<repo>` as PATH_TO_MOUNT and may give
 * WORKDIR as an absolute path under it. These actions run on the runner itself, where the checkout
 * is GITHUB_WORKSPACE. The rules, so the documented workflow works unchanged and nothing outside
 * the checkout is ever read:
 * - PATH_TO_MOUNT empty: GITHUB_WORKSPACE (else the current folder).
 * - PATH_TO_MOUNT in the documented layout (`<dir>/_work/<name>/<name>`) that does not exist here
 *   while GITHUB_WORKSPACE does: read as GITHUB_WORKSPACE, with one notice.
 * - Any other PATH_TO_MOUNT must exist, be a folder, and (under a runner, GITHUB_WORKSPACE set)
 *   lie inside GITHUB_WORKSPACE, where actions/checkout writes: a workflow cannot point the engine
 *   at the runner's other folders.
 * - WORKDIR absolute: made relative to PATH_TO_MOUNT as given, to the folder it was read as, or to
 *   the documented layout's folder; anything else absolute is refused. Then, as every path input,
 *   it must stay inside the checkout: no `..` out of it, no symbolic link out of it.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { outsideReason } from '@deploy-engine/core';
import type { InputParser } from './input-parser';

/** The runner's view: GITHUB_WORKSPACE and the step's current folder. */
export interface CheckoutEnvironment {
  workspace?: string;
  cwd: string;
}

/** The checkout the step reads: PATH_TO_MOUNT resolved, and what was given. */
export interface Checkout {
  /** Absolute folder of the checkout; undefined when PATH_TO_MOUNT was refused. */
  root: string | undefined;
  /** PATH_TO_MOUNT as the workflow wrote it ('' when not given). */
  given: string;
}

/** The runner's GITHUB_WORKSPACE and current folder. */
export function runnerCheckoutEnvironment(): CheckoutEnvironment {
  return {
    ...(process.env.GITHUB_WORKSPACE ? { workspace: process.env.GITHUB_WORKSPACE } : {}),
    cwd: process.cwd(),
  };
}

/** `<dir>/_work/<name>/<name>` and what follows it, when `path` starts with that layout. */
function documentedLayout(path: string): { base: string; rest: string } | undefined {
  const match = /^(\/(?:[^/]+\/)*_work\/([^/]+)\/\2)(\/.*)?$/.exec(path.replace(/\/+$/, ''));
  if (!match?.[1]) return undefined;
  return { base: match[1], rest: (match[3] ?? '').replace(/^\/+/, '') };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const PATH_TO_MOUNT_HINT =
  'Leave PATH_TO_MOUNT out: the checkout (GITHUB_WORKSPACE) is used. Or name the folder actions/checkout wrote (its `path:`), inside GITHUB_WORKSPACE.';

/**
 * Reads PATH_TO_MOUNT by the rules above. A refused value is reported against PATH_TO_MOUNT and
 * leaves `root` undefined, so the inputs relative to it are not reported as wrong as well.
 */
export function readPathToMount(p: InputParser, env: CheckoutEnvironment): Checkout {
  const given = p.optional('PATH_TO_MOUNT');
  const workspace = env.workspace ? resolve(env.cwd, env.workspace) : undefined;
  const base = workspace ?? env.cwd;
  if (given === '') return { root: base, given };
  const path = resolve(base, given);
  if (!existsSync(path)) {
    if (documentedLayout(path)?.rest === '' && workspace && isFolder(workspace)) {
      p.notice(
        `PATH_TO_MOUNT '${given}' is where StackSpot's container action saw the checkout; this action runs on the runner itself and reads the checkout at GITHUB_WORKSPACE (${workspace}). PATH_TO_MOUNT can be left out.`,
      );
      return { root: workspace, given };
    }
    p.fail('PATH_TO_MOUNT', `'${given}' does not exist on this runner.`, PATH_TO_MOUNT_HINT);
    return { root: undefined, given };
  }
  if (!isFolder(path)) {
    p.fail('PATH_TO_MOUNT', `'${given}' is not a folder.`, PATH_TO_MOUNT_HINT);
    return { root: undefined, given };
  }
  if (workspace && isFolder(workspace)) {
    if (!isInside(realpathSync(workspace), realpathSync(path))) {
      p.fail(
        'PATH_TO_MOUNT',
        `'${given}' is outside the checkout GITHUB_WORKSPACE (${workspace}); the engine reads only the repository checked out there.`,
        PATH_TO_MOUNT_HINT,
      );
      return { root: undefined, given };
    }
  }
  return { root: path, given };
}

/**
 * WORKDIR relative to the checkout (default `./`), or a problem reported against WORKDIR. An
 * absolute WORKDIR is read relative to the PATH_TO_MOUNT it names (as given, as read, or the
 * documented layout that does not exist here).
 */
export function readWorkdir(p: InputParser, checkout: Checkout): string {
  const { root } = checkout;
  const raw = p.optional('WORKDIR');
  if (raw === '' || root === undefined) return './';
  return p.structured('WORKDIR', './', (value) => {
    const relativeForm = isAbsolute(value) ? underCheckout(value, checkout, root) : value;
    if (relativeForm === undefined)
      throw new Error(
        `'${value}' is absolute and not inside PATH_TO_MOUNT (${checkout.given || root}). Give the folder that holds .stk/ relative to PATH_TO_MOUNT (e.g. ./ or infra/app), or absolute inside it.`,
      );
    const why = outsideReason(root, relativeForm, { allowRoot: true });
    if (why !== undefined)
      throw new Error(
        `'${value}' ${why.replace(/PATH_TO_MOUNT/g, 'the checkout (PATH_TO_MOUNT)')} Give a folder inside the checkout.`,
      );
    return relativeForm === '' ? './' : relativeForm;
  });
}

/** An absolute WORKDIR relative to the checkout, or undefined when it is not inside it. */
function underCheckout(value: string, checkout: Checkout, root: string): string | undefined {
  const path = resolve(value);
  const bases = [root];
  if (existsSync(root)) bases.push(realpathSync(root));
  if (isAbsolute(checkout.given)) bases.push(resolve(checkout.given));
  for (const base of bases) if (isInside(base, path)) return relative(base, path);
  // The documented layout names the checkout StackSpot's container saw, not a folder here.
  const layout = documentedLayout(path);
  if (layout && !existsSync(layout.base)) return layout.rest;
  return undefined;
}
