// Structured JSON logs (pino), one line per event; callers pass ids, never document content.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'faxgate' },
      // Secrets never reach a log line even if a caller passes them by mistake.
      redact: { paths: ['apiKey', 'authorization', 'req.headers.authorization', 'feedbackSecret', 'secret', 'password', 'token'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
