// What several operations share: the clock and the progress log. Each operation declares its other ports itself.

/** "Now" and waiting, injected so tests decide what time it is. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Where progress goes while an operation runs (the step log, a terminal). */
export interface ProgressLog {
  info(message: string): void;
  warning(message: string): void;
}
