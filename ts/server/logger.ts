import pino, { type Logger } from 'pino';

/** Log levels as the original Proton config spells them. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const PINO_LEVEL: Readonly<Record<LogLevel, string>> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export type { Logger };

/** A JSON logger on stdout at the configured level. */
export function createLogger(level: LogLevel): Logger {
  return pino({ name: 'proton', level: PINO_LEVEL[level] });
}

/** A logger that drops everything (tests, embedding). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
