// Markdown pieces shared by the pull request plan scripts.
import { pathToFileURL } from 'node:url';

/** A fenced block that the content cannot close early: the fence is longer than any backtick run inside. */
export function fenced(content: string, language = ''): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${content.replace(/\n$/, '')}\n${fence}`;
}

/** Cuts text to at most `limit` characters on a line boundary and says how much was left out. */
export function truncateLines(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.lastIndexOf('\n', limit);
  const kept = text.slice(0, cut > 0 ? cut : limit);
  const omitted = text.slice(kept.length).split('\n').filter(Boolean).length;
  return `${kept}\n… ${omitted} more line(s) left out`;
}

export function collapsible(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** True when the module is the script node was started with (import.meta.main needs Node 24). */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
