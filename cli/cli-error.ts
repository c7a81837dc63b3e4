/** A failure the CLI reports as one line and an exit code, never as a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** the NameServer's response code, when it answered one */
    readonly responseCode: number | null = null,
    /** 2: bad usage; 1: anything else */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, null, 2);
