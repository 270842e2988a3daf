import { pino, type Logger } from 'pino';
import { redact, redactText } from './redact.js';

/** The pino instance options shared by the app (via nestjs-pino) and the CLIs. */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: 'underwriting-engine' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redact(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((a) => (typeof a === 'string' ? redactText(a) : a));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
}

export function createLogger(level = 'info'): Logger {
  return pino(loggerOptions(level));
}
