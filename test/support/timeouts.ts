// How long a test or hook that synthesizes a CDK app may take: seconds of CPU, on a busy shared machine many times
// that in wall time.
export const SYNTH_TIMEOUT_MS = 180_000;
