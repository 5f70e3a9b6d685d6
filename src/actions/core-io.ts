// ActionIO on top of @actions/core: workflow commands on stdout and the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
import * as core from '@actions/core';
import type { ActionIO, AnnotationLocation } from './io.ts';

function properties(location?: AnnotationLocation): core.AnnotationProperties {
  if (!location) return {};
  return {
    ...(location.file ? { file: location.file } : {}),
    ...(location.line ? { startLine: location.line } : {}),
    ...(location.column ? { startColumn: location.column } : {}),
    ...(location.title ? { title: location.title } : {}),
  };
}

export const coreIO: ActionIO = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, String(value)),
  info: (message) => core.info(message),
  notice: (message, location) => core.notice(message, properties(location)),
  warning: (message, location) => core.warning(message, properties(location)),
  error: (message, location) => core.error(message, properties(location)),
  group: (title, body) => core.group(title, body),
  appendSummary: async (markdown) => {
    await core.summary.addRaw(markdown, true).write();
  },
  setFailed: (message) => core.setFailed(message),
};
