import { native, type OrtLogSeverity } from '../native';
import type { Logger } from './logger';

/** pino's level of each ONNX Runtime severity (verbose, info, warning, error, fatal). */
const LEVEL_OF_SEVERITY = ['trace', 'debug', 'warn', 'error', 'fatal'] as const;

/** The least severe ONNX Runtime records worth producing at the logger's level. */
function minimumSeverity(logger: Logger): OrtLogSeverity {
  if (logger.isLevelEnabled('trace')) return 0;
  if (logger.isLevelEnabled('debug')) return 1;
  if (logger.isLevelEnabled('warn')) return 2;
  if (logger.isLevelEnabled('error')) return 3;
  return 4;
}

/**
 * Routes ONNX Runtime's own log (process-wide) into `logger`, child `ort`, instead of raw stderr.
 * Returns the undo; a later call (another server in the process) takes over.
 */
export function routeOrtLog(logger: Logger): () => void {
  const ort = logger.child({ component: 'onnxruntime' });
  native.setLogSeverity(minimumSeverity(logger));
  const sink = (severity: OrtLogSeverity, category: string, logid: string, codeLocation: string, message: string): void => {
    ort[LEVEL_OF_SEVERITY[severity] ?? 'error']({ ortSeverity: severity, category, logid, codeLocation }, message);
  };
  native.setLogSink(sink);
  return () => native.setLogSink(null);
}
