// A build-push outcome as the build-push action reports it: the outputs (content hash, image tag and pinned URI), the
// job summary (the image, its tags, the content hash and whether it was built or reused, or why it failed) and the
// step's result.
import { pinnedImageUri } from '../contract/image-tags.ts';
import { type BuildPushOutcome, DOCKERFILE } from '../operations/build-push.ts';
import type { Report } from '../render/report.ts';
import { type ActionIO, newReport } from './io.ts';
import { ActionFailure } from './run.ts';

/** Resolves when the image was built or pushed, else throws ActionFailure. */
export async function reportBuildPush(
  environment: string,
  platform: string,
  outcome: BuildPushOutcome,
  io: ActionIO,
): Promise<void> {
  const hash = outcome.state === 'failed' ? outcome.facts?.contentHash : outcome.contentHash;
  if (hash) io.setOutput('content-hash', hash);
  if (outcome.state !== 'failed') {
    io.setOutput('image-tag', outcome.imageTag);
    io.setOutput('skipped', outcome.state === 'reused');
  }
  if (outcome.state === 'pushed' || outcome.state === 'reused') {
    io.setOutput('image-uri', pinnedImageUri(outcome.repositoryUri, outcome.imageTag, outcome.digest));
    io.setOutput('image-digest', outcome.digest);
  }
  await io.appendSummary(buildPushReport(environment, platform, outcome, newReport(io)).text());
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
}

function buildPushReport(
  environment: string,
  platform: string,
  outcome: BuildPushOutcome,
  report: Report,
): Report {
  const code = (text: string) => report.code(text);
  if (outcome.state === 'failed') {
    return report.heading(`Image for ${code(environment)}: ❌ failed`).paragraph(outcome.reason);
  }
  const rendered = outcome.renderedFiles.join(', ');
  const rows = [
    ['Content hash', `${code(outcome.contentHash)} (rendered ${rendered} + ${DOCKERFILE} + platform)`],
    ['Platform', code(platform)],
  ];
  if (outcome.state === 'built') {
    return report
      .heading(`Image build for ${code(environment)}: ✅ built (not pushed)`)
      .table(['', ''], rows);
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
  return report.heading(`Image for ${code(environment)}: ${headline}`).table(['', ''], rows);
}
