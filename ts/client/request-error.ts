/**
 * The error a transport's send() throws for a failed request. `key` groups failures in the
 * report ("HTTP 503", "gRPC UNAVAILABLE", "network ECONNREFUSED"), `message` says what happened.
 */
export class RequestError extends Error {
  readonly key: string;

  constructor(key: string, message: string) {
    super(message);
    this.name = 'RequestError';
    this.key = key;
  }
}

/** The grouping key of any thrown value: a RequestError's key, else a system error code, else the error's name. */
export function errorKeyOf(error: unknown): string {
  if (error instanceof RequestError) return error.key;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return `network ${code}`;
    return error.name;
  }
  return typeof error;
}

/** A one-line message for any thrown value. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
