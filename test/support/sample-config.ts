// The configuration the suite tests against: a copy of the sample that ships in config/, owned by the tests, so the
// user's own values in config/ never decide whether the suite passes.
import { fileURLToPath } from 'node:url';

export const SAMPLE_CONFIG_DIR = fileURLToPath(new URL('../fixtures/config/sample', import.meta.url));
