/**
 * Every error acfleet raises on purpose has a stable `code`, listed here, so users and tests can
 * match on it rather than on message text.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'ACFLEET_CONFIG_INVALID',
  CONFIG_NOT_FOUND: 'ACFLEET_CONFIG_NOT_FOUND',
  CLI_USAGE: 'ACFLEET_CLI_USAGE',
  STORE_FAILED: 'ACFLEET_STORE_FAILED',
  BROKER_LISTEN_FAILED: 'ACFLEET_BROKER_LISTEN_FAILED',
  BROKER_INSECURE: 'ACFLEET_BROKER_INSECURE',
  WORKER_FAILED: 'ACFLEET_WORKER_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class AcfleetError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AcfleetError';
    this.code = code;
  }
}

export class ConfigError extends AcfleetError {
  /** One line per problem: `path: message`. */
  readonly issues: readonly string[];

  constructor(file: string, issues: readonly string[]) {
    super(ErrorCodes.CONFIG_INVALID, `${file} is not a valid acfleet configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export const isAcfleetError = (e: unknown): e is AcfleetError => e instanceof AcfleetError;
