import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger };

/** Options for {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Service name put on every line (`gaia-core`, `gaia-web`, `gaia-doctor`). */
  service: string;
  /** Extra fields bound to every line, e.g. `{ role: "candidate" }`. */
  bindings?: Record<string, unknown>;
  /** pino level; defaults to `LOG_LEVEL` or `info`. Tests pass `silent`. */
  level?: string;
  /** Where lines go; stdout by default (tests collect them to check what is, and is not, logged). */
  destination?: { write(line: string): void };
}

/** One JSON line per event on stdout, the format every GAIA service logs in. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL?.toLowerCase() ?? "info",
    base: { service: options.service, ...options.bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // API keys travel in these headers: whatever logs a request or its headers must never write them out
    redact: {
      paths: [
        "headers.authorization",
        'headers["x-api-key"]',
        "*.headers.authorization",
        '*.headers["x-api-key"]',
        "*.*.headers.authorization",
        '*.*.headers["x-api-key"]',
      ],
      censor: "[redacted]",
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
