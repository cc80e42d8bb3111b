/**
 * The base of every error evmwasm reports to a user: a short message that
 * says what went wrong, optional details, and a name per error kind.
 */
export interface BaseErrorOptions {
  details?: string;
  cause?: unknown;
}

export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly details?: string;

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}
