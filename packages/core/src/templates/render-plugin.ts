/**
 * Renders a plugin's templates-deploy/ in a worker thread, so that a hostile template is bounded:
 * nunjucks renders synchronously, and only a separate thread can be stopped. The worker gets plain
 * data (render-protocol.ts) and has its own heap limit; it is terminated when it runs too long.
 * Size limits (per file, per plugin, per string) are checked inside it (render-directory.ts,
 * marked-runtime.ts).
 *
 * Each worker renders one plugin and is terminated: nothing a template did can reach the next
 * plugin's render. Starting a thread and loading the renderer takes 50-150 ms, so the next one is
 * started ahead (a spare: started but idle until it gets a request) while the job runs Terraform,
 * and a render takes the spare when there is one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigurationError } from '../errors';
import type { RenderedProject } from './render-directory';
import type { RenderReply, RenderRequest } from './render-protocol';

export const RENDER_WORKER_LIMITS = {
  /** Wall-clock time for one plugin's templates. */
  timeoutMs: 30_000,
  /** The worker's V8 heap (old generation): well above what 50 MiB of output needs. */
  heapMb: 512,
};

/** Renders `request` in a worker; `plugin` names the plugin in errors. */
export async function renderPluginTemplates(
  request: RenderRequest,
  plugin: string,
  limits: { timeoutMs: number; heapMb: number } = RENDER_WORKER_LIMITS,
): Promise<RenderedProject> {
  const reply = await runWorker(request, plugin, limits);
  if (!reply.ok) {
    if (reply.problems && reply.problems.length > 0) {
      throw new ConfigurationError(reply.problems, `${request.displayDir} does not render`);
    }
    throw new Error(`rendering ${plugin} failed in the render worker: ${reply.message}`);
  }
  return {
    files: reply.files.map((f) => ({
      path: f.path,
      content: Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength),
    })),
    digest: reply.digest,
    warnings: reply.warnings,
  };
}

/** A worker started ahead, idle until it gets its one request. */
interface SpareWorker {
  worker: Worker;
  heapMb: number;
  /** It ended (failed to start, say) before it was used: not to be used. */
  gone: boolean;
  /** Swallows its errors while idle (a failed start only means it is not used). */
  idleError: () => void;
  /** Ends it when no render took it for SPARE_IDLE_MS. */
  idleTimer?: NodeJS.Timeout;
}

/** How long a spare waits for a render before it is terminated (it holds a thread and a heap). */
const SPARE_IDLE_MS = 60_000;

/** Whether the process keeps a spare (a job that renders plugins asked for it). */
let keepSpare = false;
let spare: SpareWorker | undefined;

function startWorker(heapMb: number): SpareWorker {
  const script = workerScript();
  const worker = new Worker(script.file, {
    eval: script.eval,
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: false,
    stderr: false,
  });
  const started: SpareWorker = { worker, heapMb, gone: false, idleError: () => undefined };
  worker.on('error', started.idleError);
  worker.once('exit', () => (started.gone = true));
  return started;
}

/**
 * Starts the worker the next render takes, and after each render the next one (a job that
 * renders plugins calls it before its first task). An idle spare does not keep the process alive
 * and ends after a minute without a render.
 */
export function prestartRenderWorker(heapMb: number = RENDER_WORKER_LIMITS.heapMb): void {
  keepSpare = true;
  if (spare && !spare.gone && spare.heapMb === heapMb) return;
  if (spare) void spare.worker.terminate();
  const started = startWorker(heapMb);
  started.worker.unref();
  started.idleTimer = setTimeout(() => {
    if (spare === started) spare = undefined;
    void started.worker.terminate();
  }, SPARE_IDLE_MS).unref();
  spare = started;
}

/** The spare worker when it fits `heapMb` and is alive, else a new one. */
function takeWorker(heapMb: number): Worker {
  const taken = spare && !spare.gone && spare.heapMb === heapMb ? spare : startWorker(heapMb);
  if (taken === spare) spare = undefined;
  clearTimeout(taken.idleTimer);
  taken.worker.ref();
  taken.worker.off('error', taken.idleError);
  return taken.worker;
}

function runWorker(
  request: RenderRequest,
  plugin: string,
  limits: { timeoutMs: number; heapMb: number },
): Promise<RenderReply> {
  const worker = takeWorker(limits.heapMb);
  return new Promise<RenderReply>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          bounded(
            plugin,
            request,
            `took longer than ${limits.timeoutMs / 1000} s to render its templates, and was stopped`,
          ),
        ),
      );
      void worker.terminate();
    }, limits.timeoutMs);
    worker.once('message', (reply: RenderReply) => {
      settle(() => resolve(reply));
      void worker.terminate();
    });
    worker.once('error', (error: Error & { code?: string }) => {
      settle(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? bounded(
                plugin,
                request,
                `needed more than ${limits.heapMb} MiB of memory to render its templates, and was stopped`,
              )
            : new Error(`the render worker of ${plugin} failed: ${error.message}`, {
                cause: error,
              }),
        ),
      );
    });
    worker.once('exit', (code) => {
      settle(() => reject(new Error(`the render worker of ${plugin} exited (code ${code})`)));
    });
    worker.postMessage(request);
  }).finally(() => {
    // The next plugin's worker starts now, while this one's Terraform runs.
    if (keepSpare) prestartRenderWorker(limits.heapMb);
  });
}

function bounded(plugin: string, request: RenderRequest, what: string): ConfigurationError {
  return new ConfigurationError({
    message: `Plugin ${plugin} ${what}.`,
    location: { file: request.displayDir },
    hint: 'Look for loops that multiply (nested range()) or strings that double; generate repetition with Terraform (count, for_each) instead.',
  });
}

/**
 * The worker's code: next to the bundle (dist/<action>/render-worker/index.js, built by
 * scripts/build.mjs), or, when running from the TypeScript sources (tests, the CLI), the source
 * file loaded through tsx.
 */
function workerScript(): { file: string; eval: boolean } {
  const bundled = join(__dirname, 'render-worker', 'index.js');
  if (existsSync(bundled)) return { file: bundled, eval: false };
  const source = join(__dirname, 'render-worker.ts');
  // A name ncc does not follow: tsx is a development tool, never bundled.
  const loader = ['tsx', 'cjs'].join('/');
  const tsx = createRequire(source).resolve(loader);
  return {
    file: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`,
    eval: true,
  };
}
