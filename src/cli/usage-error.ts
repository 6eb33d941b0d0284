/** A command-line mistake: the CLI prints help and exits 2, like yargs' own checks. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
