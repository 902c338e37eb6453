import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentRequestContext } from './request-context';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

// Keys whose values must never reach a log line, wherever they sit in a logged object.
const REDACTED_PATHS = [
  'password', '*.password', 'card', '*.card', 'cardNumber', '*.cardNumber', 'cvc', '*.cvc', 'number', '*.card.number',
  'authorization', '*.authorization', 'refreshToken', '*.refreshToken', 'accessToken', '*.accessToken',
  'req.headers.authorization', 'req.headers.cookie',
];

/**
 * The one logger: JSON lines with the service name, and the request id and trace id of whatever request is
 * being served when the line is written.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const fields: Record<string, string> = {};
      const spanContext = trace.getActiveSpan()?.spanContext();
      if (spanContext) {
        fields.trace_id = spanContext.traceId;
        fields.span_id = spanContext.spanId;
      }
      const requestId = currentRequestContext()?.requestId;
      if (requestId) fields.request_id = requestId;
      return fields;
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
