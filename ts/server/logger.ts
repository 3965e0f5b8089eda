import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { batchedDestination } from './log-destination';

/** Log levels as the original Proton config spells them (TRACE included). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `text`: one readable line per record (for a terminal); `json`: one JSON object per line. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const PINO_LEVEL: Readonly<Record<LogLevel, string>> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export type { Logger };

export interface LoggerOptions {
  level: LogLevel;
  /** Default: text when stdout is a terminal, JSON otherwise. */
  format?: LogFormat;
  /** Where records go (default stdout, written once per turn of the event loop); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** The format used when none is configured. */
export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY ? 'text' : 'json';
}

/** The server's logger: pino at the configured level, readable text or JSON lines. */
export function createLogger(levelOrOptions: LogLevel | LoggerOptions): Logger {
  const options = typeof levelOrOptions === 'string' ? { level: levelOrOptions } : levelOrOptions;
  const format = options.format ?? defaultLogFormat();
  const base = { name: 'proton', level: PINO_LEVEL[options.level] };
  if (format === 'json') return pino(base, options.destination ?? batchedDestination(1));
  // Synchronous and in-process: no worker thread, lines appear in order with the rest of stdout.
  const stream = pretty({
    sync: true,
    colorize: options.destination === undefined && process.stdout.isTTY === true,
    ignore: 'pid,hostname,name',
    translateTime: 'SYS:HH:MM:ss.l',
    ...(options.destination ? { destination: options.destination } : {}),
  });
  return pino(base, stream);
}

/** A logger that drops everything (tests, embedding). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
