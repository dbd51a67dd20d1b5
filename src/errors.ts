/**
 * Errors of the project. Every message is one line: what was wrong, the value, and what is allowed.
 * The CLI prints `message` (the stack only with --verbose); the server maps `status` to the HTTP status.
 */
export class PinplaceError extends Error {
  /** Machine-readable code, e.g. 'usage', 'format'. */
  readonly code: string;
  /** HTTP status the server answers with. */
  readonly status: number;
  constructor(message: string, code = 'error', status = 500) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** A flag, option or argument that is wrong (bad box, unknown flag, out-of-range number). */
export class UsageError extends PinplaceError {
  constructor(message: string) {
    super(message, 'usage', 400);
  }
}

/** A file or JSON document that does not have the expected format. */
export class FormatError extends PinplaceError {
  constructor(message: string) {
    super(message, 'format', 422);
  }
}

/** A peer server (ComfyUI, AUTOMATIC1111) that is down, slow or answers an error. */
export class ServerError extends PinplaceError {
  constructor(message: string, status = 502) {
    super(message, 'server', status);
  }
}

/** The tensor backend could not be set up. */
export class BackendError extends PinplaceError {
  constructor(message: string) {
    super(message, 'backend', 500);
  }
}

/** A capability that exists in the command set but is not built yet. */
export class NotBuiltError extends PinplaceError {
  constructor(message: string) {
    super(message, 'not_built', 501);
  }
}

/** One line describing any thrown value. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
