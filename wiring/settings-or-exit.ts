import { logger } from './logger.js';

/**
 * Reads an entry point's settings; a missing or bad one ends the process with one line naming it,
 * for the person deploying (a stack trace would hide the variable to set).
 */
export function settingsOrExit<T>(processName: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    logger.fatal(`${processName} could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
