/**
 * The render worker's entry (a worker thread, see render-plugin.ts): waits for its one request
 * (it may be started ahead of it), builds the template context from plain data (marks cannot cross
 * threads), renders the folder and posts the files back.
 * Bundled on its own (scripts/build.mjs) as dist/<action>/render-worker/index.js.
 */
import { parentPort } from 'node:worker_threads';
import { ConfigurationError } from '../errors';
import { buildTemplateContext } from './context';
import { renderDirectory } from './render-directory';
import { connectionTypeHint, type RenderRequest, type RenderReply } from './render-protocol';

async function main(request: RenderRequest): Promise<RenderReply> {
  try {
    const project = await renderDirectory({
      templateDir: request.templateDir,
      displayDir: request.displayDir,
      context: buildTemplateContext(request.source),
      ...(request.limits ? { limits: request.limits } : {}),
      ...(request.undefinedMode ? { undefinedMode: request.undefinedMode } : {}),
      undefinedHint: (expression) => connectionTypeHint(expression, request.connectionTypes),
    });
    return {
      ok: true,
      files: project.files,
      digest: project.digest,
      warnings: project.warnings ?? [],
    };
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return { ok: false, problems: [...error.problems], message: error.message };
    }
    return {
      ok: false,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}

parentPort?.once('message', (request: RenderRequest) => {
  void main(request).then((reply) => parentPort?.postMessage(reply));
});
