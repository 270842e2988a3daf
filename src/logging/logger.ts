import { pino, type Logger } from 'pino';
import { redactLogRecord, redactText } from './redact.js';

/** The pino instance options shared by the app (via nestjs-pino) and the CLIs. */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: 'underwriting-engine' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redactLogRecord(obj),
    },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((a) => (typeof a === 'string' ? redactText(a) : a));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
}

/**
 * The access log's serializers: only the request id, method and path (no query string, no headers) and the
 * response status code, so no personal data or secret can reach an access-log line.
 */
export const accessLogSerializers = {
  req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
  res: (res: { statusCode: number | null }) => ({ statusCode: res.statusCode }),
};

export function createLogger(level = 'info'): Logger {
  return pino(loggerOptions(level));
}
