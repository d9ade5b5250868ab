// The error of a bad environment variable or config file: every problem found, each at its place (a variable name or
// a JSON path), so one run shows everything to fix.
import type { SchemaIssue } from './json-schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /**
   * @param source What was read: `environment`, or the config file's path.
   * @param issues Each problem, at a variable name (`LOG_LEVEL`) or a JSON path (`$.interceptors[0].use`).
   */
  constructor(
    readonly source: string,
    readonly issues: readonly SchemaIssue[],
  ) {
    super(
      issues.length === 1
        ? `Invalid ${source}: ${issues[0]?.path}: ${issues[0]?.message}`
        : `Invalid ${source} (${issues.length} problems):\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`,
    );
  }
}
