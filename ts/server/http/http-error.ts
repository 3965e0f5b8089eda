import { HTTP_STATUS_OF, toClientFailure } from '../../protocol/status';
import { jsonReply, type Reply } from './reply';

/** A protocol-level failure with its own HTTP status (404, 405, 413, ...). */
export class HttpError extends Error {
  readonly status: number;
  /** Close the connection after answering (the body was not, or not fully, read). */
  readonly closeConnection: boolean;

  constructor(status: number, message: string, closeConnection = false) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.closeConnection = closeConnection;
  }
}

/** `{"error": "..."}` with the status of the one table; anything unexpected is a 500; never the error's `detail`. */
export function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) {
    return { ...jsonReply(error.status, { error: error.message }), code: `HTTP_${error.status}` };
  }
  const failure = toClientFailure(error);
  return { ...jsonReply(HTTP_STATUS_OF[failure.code], { error: failure.message }), code: failure.code };
}
