// The one place an action's top-level error becomes a failed step.
import type { ActionIO } from './io.ts';

/**
 * A failure the action has already explained (in the log and the job summary); only its one-line message is
 * repeated as the step's failure. Anything else thrown is unexpected and is reported with its stack.
 */
export class ActionFailure extends Error {
  override name = 'ActionFailure';
}

export async function runMain(io: ActionIO, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ActionFailure) {
      io.setFailed(error.message);
      return;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    if (err.name !== 'InputError' && err.stack) io.info(err.stack);
    io.setFailed(err.message);
  }
}
