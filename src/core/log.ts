import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number] & LevelWithSilent;

/**
 * JSON lines to stderr (stdout is the CLI's status display). `ACFLEET_LOG_PRETTY=1` pretty-prints
 * through pino-pretty for humans.
 */
export function createLogger(level: LogLevel = 'info', name = 'acfleet'): Logger {
  const pretty = process.env.ACFLEET_LOG_PRETTY === '1';
  if (pretty) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino({ name, level }, pino.destination({ dest: 2, sync: false }));
}

/** For tests and library callers that want quiet. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
