/** The slice of a pino logger the network layer uses; pino's Logger satisfies it. */
export interface NetLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const ignore = (): void => {};

export const silentLogger: NetLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
