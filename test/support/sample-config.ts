// The configuration the suite tests against: a copy of the sample that ships in config/, owned by the tests, so the
// user's own values in config/ never decide whether the suite passes.
import { fileURLToPath } from 'node:url';

export const SAMPLE_CONFIG_DIR = fileURLToPath(new URL('../fixtures/config/sample', import.meta.url));

/**
 * An operator's own configuration, whose environment names, accounts, ranges, services and fleet size all differ from
 * the sample's: it stands in for the repository's config/ wherever a test would otherwise fall back to that
 * directory, so a test that assumes the sample's values without naming the sample fails.
 */
export const OPERATOR_CONFIG_DIR = fileURLToPath(new URL('../fixtures/config/operator', import.meta.url));
