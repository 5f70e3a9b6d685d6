// The smoke-test surface other areas use (the local stack, the smoke action, the CLI).
export {
  DEFAULT_BUDGET_MS,
  DEFAULT_RETRY,
  planSmokeChecks,
  runSmokeChecks,
  type SmokeCheck,
  type SmokeEndpoint,
  type SmokeExpectation,
  type SmokeOptions,
  type SmokeResult,
  signingRegion,
} from './checks.ts';
export { formatSmokeMarkdown, formatSmokeTable } from './report.ts';
export { LATTICE_SIGNING_SERVICE, type SignedRequest, signLatticeRequest, UNSIGNED_PAYLOAD } from './sign.ts';
