/**
 * Upstream's `validation.IsFullyQualifiedDomainName` check and error texts (k8s.io/apimachinery),
 * which kms v2 applies to every annotation key of an `EncryptedObject`.
 *
 * The texts are reproduced because they are what kube-apiserver reports; the value is quoted the
 * way Go's `%q` quotes it, by the one `goQuote` config uses too (non-printable runes beyond ASCII
 * are escaped, as Go does).
 *
 * @module
 */

import { goQuote } from '@atrest/core/go';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const LABEL_RE = new RegExp(`^${LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${SUBDOMAIN}$`);

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character" +
  ` (e.g. 'example.com', regex used for validation is '${SUBDOMAIN}')`;
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character" +
  ` (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL}')`;

const encoder = new TextEncoder();

// Go's len() counts UTF-8 bytes.
function byteLength(s: string): number {
  return encoder.encode(s).length;
}

function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push('must be no more than 253 characters');
  if (!SUBDOMAIN_RE.test(value)) errs.push(SUBDOMAIN_MSG);
  return errs;
}

function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_RE.test(value)) errs.push(SUBDOMAIN_RE.test(value) ? 'must not contain dots' : LABEL_MSG);
  return errs;
}

/**
 * Check one name as upstream's `IsFullyQualifiedDomainName(field.NewPath(path), name)` and render
 * its first error as `field.Error.Error()` does.
 *
 * @param path - field path, `annotations` for kms v2
 * @param name - the name to check (ASCII-only names can pass)
 * @returns the error text, or undefined when the name is valid
 */
export function fullyQualifiedDomainNameError(path: string, name: string): string | undefined {
  if (name.length === 0) return `${path}: Required value`;
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const sub = dns1123Subdomain(trimmed);
  if (sub.length > 0) return `${path}: Invalid value: ${goQuote(trimmed)}: ${sub.join(',')}`;
  const labels = trimmed.split('.');
  if (labels.length < 2) {
    return `${path}: Invalid value: ${goQuote(trimmed)}: should be a domain with at least two segments separated by dots`;
  }
  for (const label of labels) {
    const errs = dns1123Label(label);
    if (errs.length > 0) return `${path}: Invalid value: ${goQuote(label)}: ${errs.join(',')}`;
  }
  return undefined;
}
