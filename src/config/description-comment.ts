// A `#` after a space ends a plain YAML value: `description: Rack 4 #B` is the description "Rack 4" and a comment.
// Validation cannot see what a comment took away, so a comment on the same line as a description is a warning.
import type { Diagnostic } from './diagnostics.ts';
import type { ParsedFile } from './locate.ts';
import type { Allowlist } from './model.ts';
import { nodeAt, positionOf } from './yaml-source.ts';

export function commentsAfterDescriptions(
  allowlist: Allowlist | undefined,
  file: ParsedFile | undefined,
): Diagnostic[] {
  if (!allowlist || !file) return [];
  const { text } = file.source;
  return allowlist.entries.flatMap((entry, index) => {
    const node = nodeAt(file.source, ['entries', index, 'description']);
    if (node.value !== entry.description) return [];
    const lineEnd = text.indexOf('\n', node.end);
    const rest = text.slice(node.end, lineEnd < 0 ? undefined : lineEnd);
    const comment = /^[ \t]*#/.exec(rest);
    if (!comment) return [];
    const commentText = rest.slice(comment[0].length - 1).trim();
    return [
      {
        severity: 'warning' as const,
        file: file.path,
        ...positionOf(file.source, node.end + comment[0].length - 1),
        code: 'description-comment',
        message: `the description is "${entry.description}": YAML reads "${commentText}" after it as a comment, not as part of it`,
        hint: `quote the description if the # belongs to it (description: "${entry.description} ${commentText}"), or move the comment to a line of its own`,
      },
    ];
  });
}
