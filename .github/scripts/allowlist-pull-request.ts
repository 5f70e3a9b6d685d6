// Opens (or refreshes) the pull request that carries the working tree's config/allowlist.yaml
// (src/github/allowlist-pull-request.ts).
// Usage (expiry.yml, revoke.yml): allowlist-pull-request.ts --branch B --title T --body-file F
// with GH_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_REF_NAME (the base branch) in the environment.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGitHubClient } from '../../src/aws/clients.ts';
import { ALLOWLIST_PATH, openAllowlistPullRequest } from '../../src/github/allowlist-pull-request.ts';
import { isEntryPoint } from './entry.ts';

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({
    options: { branch: { type: 'string' }, title: { type: 'string' }, 'body-file': { type: 'string' } },
  });
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || !values.branch || !values.title || !values['body-file']) {
    throw new Error('needs --branch, --title, --body-file and GITHUB_REPOSITORY=owner/name');
  }
  const url = await openAllowlistPullRequest(createGitHubClient(process.env.GH_TOKEN ?? ''), {
    owner,
    repo,
    baseSha: process.env.GITHUB_SHA ?? '',
    baseBranch: process.env.GITHUB_REF_NAME ?? 'main',
    branch: values.branch,
    title: values.title,
    body: readFileSync(values['body-file'], 'utf8'),
    allowlist: readFileSync(ALLOWLIST_PATH, 'utf8'),
  });
  console.log(url);
}
