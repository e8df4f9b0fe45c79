/**
 * The core's Logger over @actions/core: groups, annotations with file/line, and masking. Every
 * line of text it prints goes out inert (see inertText): much of it is not ours (Terraform's
 * output, plan text, plugin values and messages quoting them), and one mechanism here covers all
 * callers. Annotations, debug lines and group titles are workflow commands of our own, whose data
 * @actions/core escapes (a line break in it cannot start another command).
 */
import * as core from '@actions/core';
import type { Logger, SourceLocation } from '@deploy-engine/core';
import { inertText } from './inert-text';
import { registerSecret } from './register-secret';

function annotation(location?: SourceLocation): core.AnnotationProperties {
  if (!location) return {};
  return {
    file: location.file,
    ...(location.line !== undefined ? { startLine: location.line } : {}),
    ...(location.column !== undefined ? { startColumn: location.column } : {}),
  };
}

/** LEVEL_LOG / FEATURES_LEVEL_LOG / VERBOSE: debug lines become ordinary log lines. */
let debugShown = false;

/** Shows the engine's debug lines in the log (as `debug: ...` lines) or leaves them to core.debug. */
export function showDebugLines(shown: boolean): void {
  debugShown = shown;
}

export const actionsLogger: Logger = {
  debug: (message) =>
    debugShown ? core.info(inertText(`debug: ${message}`)) : core.debug(message),
  info: (message) => core.info(inertText(message)),
  warning: (message, location) => core.warning(message, annotation(location)),
  error: (message, location) => core.error(message, annotation(location)),
  group: (title, fn) => core.group(title, fn),
  addSecret: (value) => registerSecret(value),
};
