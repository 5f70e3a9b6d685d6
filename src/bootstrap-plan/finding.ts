// One of doctor's checks: passed, or failed with its fix.

export interface Finding {
  ok: boolean;
  check: string;
  /** Present when not ok. */
  fix?: string;
  /** A warning does not fail doctor. */
  warning?: boolean;
}
