/**
 * The error a configuration that fails upstream's validation raises.
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import type { FieldIssue } from './types.js';

/**
 * `ERR_CONFIG_INVALID`: the configuration parsed but upstream's validation refuses it. Every
 * finding is in {@link ConfigValidationError.issues}; the message names the first one.
 *
 * @example
 * ```ts
 * import { ConfigValidationError, loadEncryptionConfiguration } from '@atrest/config';
 * try {
 *   loadEncryptionConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n');
 * } catch (e) {
 *   if (e instanceof ConfigValidationError) console.error(e.issues.map((i) => `${i.field}: ${i.detail}`));
 * }
 * ```
 */
export class ConfigValidationError extends AtrestError {
  /** Upstream's findings, in upstream's order. */
  readonly issues: readonly FieldIssue[];

  /**
   * @param issues - at least one finding
   * @param source - the input's label
   */
  constructor(issues: readonly FieldIssue[], source?: string) {
    const first = issues[0];
    const head =
      first === undefined
        ? 'the configuration is invalid'
        : `${first.field}: ${first.type === 'Required' ? 'Required value' : 'Invalid value'}: ${first.detail}`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(ErrorCode.ConfigInvalid, `${head}${more}`, { source, field: first?.field, issues: issues.length });
    this.name = 'ConfigValidationError';
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }
}
