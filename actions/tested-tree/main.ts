import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { runMain } from '../../src/actions/run.ts';
import { gitHubRepoGet, verdictFor } from '../../src/github/tested-tree.ts';

await runMain(coreIO, async () => {
  const run = runContext();
  const api = process.env.GITHUB_API_URL ?? 'https://api.github.com';
  const get = gitHubRepoGet(api, `${run.owner}/${run.repo}`, coreIO.getInput('token'));
  const verdict = await verdictFor(get, run.sha);
  coreIO.info(verdict.tested ? `Not testing again: ${verdict.reason}.` : `Testing: ${verdict.reason}.`);
  coreIO.setOutput('tested', verdict.tested);
});
