// The smoke-test surface other areas use (the local stack, the smoke action, the CLI).
export {
  DEFAULT_BUDGET_MS,
  DEFAULT_RETRY,
  runSmokeChecks,
  type SmokeOptions,
  signingRegion,
} from './checks.ts';
export { formatSmokeTable } from './report.ts';
export { LATTICE_SIGNING_SERVICE, type SignedRequest, signLatticeRequest, UNSIGNED_PAYLOAD } from './sign.ts';
