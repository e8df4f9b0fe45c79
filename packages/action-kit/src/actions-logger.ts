/** The core's Logger over @actions/core: groups, annotations with file/line, and masking. */
import * as core from '@actions/core';
import type { Logger, SourceLocation } from '@deploy-engine/core';

function annotation(location?: SourceLocation): core.AnnotationProperties {
  if (!location) return {};
  return {
    file: location.file,
    ...(location.line !== undefined ? { startLine: location.line } : {}),
    ...(location.column !== undefined ? { startColumn: location.column } : {}),
  };
}

export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message, location) => core.warning(message, annotation(location)),
  error: (message, location) => core.error(message, annotation(location)),
  group: (title, fn) => core.group(title, fn),
  addSecret: (value) => {
    if (value) core.setSecret(value);
  },
};
