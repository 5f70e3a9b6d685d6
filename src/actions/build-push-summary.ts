// The job summary of build-push: the image, its tags, the content hash and whether it was built or reused, or why it
// failed.
import { pinnedImageUri } from '../contract/image-tags.ts';
import { type BuildPushOutcome, DOCKERFILE } from '../operations/build-push.ts';
import { code, table } from '../render/markdown.ts';

export function buildPushSummary(environment: string, platform: string, outcome: BuildPushOutcome): string {
  if (outcome.state === 'failed')
    return `## Image for ${code(environment)}: ❌ failed\n\n${outcome.reason}\n`;
  const rendered = outcome.renderedFiles.join(', ');
  const rows = [
    ['Content hash', `${code(outcome.contentHash)} (rendered ${rendered} + ${DOCKERFILE} + platform)`],
    ['Platform', code(platform)],
  ];
  if (outcome.state === 'built') {
    return `## Image build for ${code(environment)}: ✅ built (not pushed)\n\n${table(['', ''], rows)}\n`;
  }
  const reused = outcome.state === 'reused';
  const imageUri = pinnedImageUri(outcome.repositoryUri, outcome.imageTag, outcome.digest);
  rows.unshift(['Image', code(imageUri)], ['Tags', outcome.tags.map(code).join(', ')]);
  rows.push([
    'Build',
    reused ? 'skipped: an image with this content hash was already in ECR' : 'docker buildx',
  ]);
  for (const kept of outcome.kept) {
    rows.push(['Not moved', `${code(kept.tag)} names another image (${code(kept.digest)})`]);
  }
  const headline = reused ? '♻️ reused the image with the same content' : '✅ built and pushed';
  return `## Image for ${code(environment)}: ${headline}\n\n${table(['', ''], rows)}\n`;
}
