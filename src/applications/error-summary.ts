/**
 * What of an error may be logged: its class and message. Never the whole error object — a QueryFailedError carries
 * the SQL parameters, which can hold an engine input (narrations, the applicant's name).
 */
export function errorSummary(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message.slice(0, 500) };
  return { name: typeof err, message: String(err).slice(0, 500) };
}
