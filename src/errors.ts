// Every error a user can cause or meet carries a stable code and an exit code, so the
// CLI can print one line and leave with the right status instead of a stack trace.

export const ExitCode = {
  ok: 0,
  thresholdFailed: 1,
  badInput: 2,
  runBroken: 3,
  saturated: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class SockcapError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(code: string, message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'SockcapError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A scenario file, flag or override the user wrote is wrong. `where` is the file (or "--set", "--flag"), `field` the dotted path. */
export class ScenarioError extends SockcapError {
  readonly where: string;
  readonly field: string;
  constructor(where: string, field: string, expected: string) {
    super('bad_scenario', `${where}: ${field ? `${field}: ` : ''}${expected}`, ExitCode.badInput);
    this.name = 'ScenarioError';
    this.where = where;
    this.field = field;
  }
}

/** Bad command-line usage that is not about a scenario field. */
export class UsageError extends SockcapError {
  constructor(message: string) {
    super('bad_usage', message, ExitCode.badInput);
    this.name = 'UsageError';
  }
}

/** The target could not be reached before any load was sent. */
export class TargetUnreachableError extends SockcapError {
  constructor(target: string, cause: string, fix: string) {
    super('target_unreachable', `target ${target} is unreachable (${cause}): ${fix}`, ExitCode.badInput);
    this.name = 'TargetUnreachableError';
  }
}

/**
 * A TLS handshake with the target failed before any load. `code` is the name errors.csv uses
 * for the same failure (tls_untrusted, tls_hostname, tls_protocol_mismatch, ...); `who` is
 * `target <url>` or `the built-in target`.
 */
export class TargetTlsError extends SockcapError {
  constructor(who: string, code: string, cause: string, fix: string) {
    super(code, `${who} failed the TLS check: ${code} (${cause}): ${fix}`, ExitCode.badInput);
    this.name = 'TargetTlsError';
  }
}

/** The run broke after it started (a worker crashed, the built-in target died). */
export class RunBrokenError extends SockcapError {
  readonly resultsDir: string | undefined;
  constructor(message: string, resultsDir?: string) {
    super('run_broken', message, ExitCode.runBroken);
    this.name = 'RunBrokenError';
    this.resultsDir = resultsDir;
  }
}

/**
 * A bug in sockcap (an error no sockcap code meant to throw) met during a run. It keeps the
 * original error whole, stack included, and where the files measured so far were written,
 * so the console can say both: it is never turned into a one-line user or target problem.
 */
export class InternalError extends Error {
  readonly resultsDir: string | undefined;
  constructor(cause: unknown, resultsDir?: string) {
    super(errorMessage(cause), { cause });
    this.name = 'InternalError';
    this.resultsDir = resultsDir;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
