/**
 * Rendering an {@link AuditReport}: an aligned table for people, and a stable JSON document for
 * tools. Neither ever contains a value's plaintext or key material: only names, ids, counts,
 * revisions and error texts.
 * @module
 */
import type { AuditDamage, AuditReport, Finding } from './report-types.js';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** List old-revision findings one by one (otherwise only their counts). */
  readonly history?: boolean;
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

function findingLines(findings: readonly Finding[]): string {
  return findings.map((f) => `  ${f.kind.padEnd(17)} ${f.key}${f.keyBase64 === undefined ? '' : ` (bytes ${f.keyBase64})`} @${f.revision}  ${f.id}${f.reason ? `  (${f.reason})` : ''}`).join('\n');
}

/**
 * The human report.
 * @example
 * ```ts
 * import { renderTable, type AuditReport } from '@atrest/audit';
 * declare const report: AuditReport;
 * process.stdout.write(renderTable(report, { history: true }));
 * ```
 */
export function renderTable(report: AuditReport, options: TableOptions = {}): string {
  const t = report.totals;
  const out: string[] = [];
  for (const w of report.warnings ?? []) out.push(`WARNING: ${w}`);
  out.push(sourceLine(report));
  out.push(`objects: ${t.keys.present} present, ${t.keys.deleted} deleted (tombstone kept); ${t.snapshot.putRevisions} surviving revisions`);
  if (report.damage !== undefined) out.push('', ...damageSection(report.damage));
  out.push('');
  out.push('Latest values per resource');
  out.push(
    table(
      ['resource', 'objects', 'encrypted', 'plaintext', 'undecryptable', 'stale'],
      Object.entries(t.latest.byResource)
        .sort()
        .map(([r, c]) => [r, c.objects, c.encrypted, c.plaintext, c.undecryptable, c.stale]),
    ),
  );
  out.push('');
  out.push('Latest values per provider key');
  out.push(table(['provider:key', 'values'], Object.entries(t.latest.byProviderKey).sort().map(([k, n]) => [k, n])));
  out.push('');
  out.push(`Old revisions (${t.history.revisions})`);
  out.push(table(['provider:key', 'revisions'], Object.entries(t.history.byProviderKey).sort().map(([k, n]) => [k, n])));
  const leftover = t.history.plaintextRevisionsOfKeysNowEncrypted;
  out.push(`plaintext left in old revisions of objects encrypted now: ${leftover.length}`);
  if (Object.keys(t.kmsV2).length > 0) {
    out.push('');
    out.push('KMS v2 values');
    out.push(
      table(
        ['plugin', 'keyID', 'values', 'distinct DEKs'],
        Object.entries(t.kmsV2).flatMap(([p, v]) => Object.entries(v.byKeyID).map(([k, n]) => [p, k, n, v.distinctWrappedDEKs])),
      ),
    );
  }
  out.push('');
  out.push('Keys still needed (by any latest or old revision)');
  out.push(
    table(
      ['provider:key', 'latest', 'old', 'in config'],
      report.keysStillNeeded.needed.map((n) => [n.id, n.latest, n.history, n.configured ? 'yes' : 'NO']),
    ),
  );
  const k = report.keysStillNeeded;
  out.push(k.cannotTell === undefined ? `removable (configured, needed by nothing here): ${k.removable.join(', ') || 'none'}` : `removable: cannot tell: ${k.cannotTell}`);
  const latest = report.findings.filter((f) => !f.kind.startsWith('history-'));
  const history = report.findings.filter((f) => f.kind.startsWith('history-'));
  out.push('');
  out.push(`Findings: ${latest.length} on latest values, ${history.length} on old revisions`);
  if (latest.length) out.push(findingLines(latest));
  if (options.history && history.length) out.push(findingLines(history));
  out.push('');
  out.push(
    `totals: ${t.latest.byStatus.encrypted} encrypted, ${t.latest.byStatus.plaintext} plaintext, ${t.latest.byStatus.undecryptable} undecryptable, ${t.latest.stale} stale (latest values); ${leftover.length} plaintext old revisions of encrypted objects`,
  );
  return `${out.join('\n')}\n`;
}

/** The first line: what was audited. */
function sourceLine(report: AuditReport): string {
  const s = report.source;
  const compacted = `compacted at ${report.compactRevision ?? 'never'}`;
  if (s.kind === 'snapshot') return `etcd snapshot: head revision ${report.headRevision}, ${compacted}`;
  return `etcd ${s.endpoints.join(',')} (cluster ${s.clusterId}, member ${s.memberId}): revision ${s.revision}, ${s.compactRevision === 0 ? 'compacted at never' : `compacted at ${s.compactRevision}`}; ${s.history ? 'latest values and every older revision etcd still has' : 'latest values only (--history reads older revisions)'}`;
}

/** How many damaged areas the table lists (JSON lists up to DAMAGE_LISTED). */
const DAMAGE_IN_TABLE = 20;

function damageSection(d: AuditDamage): string[] {
  const shown = d.areas.slice(0, DAMAGE_IN_TABLE);
  const rows = shown.map((a) => [a.pageId ?? '', a.offset ?? '', a.parentPageId === undefined ? '' : `${a.parentPageId}#${a.element ?? ''}`, a.revision ?? '', a.reason]);
  return [
    `DAMAGED SNAPSHOT: ${d.count} area(s) could not be read and were skipped; what they held is missing, so every count below is a lower bound`,
    table(['page', 'offset', 'from page#element', 'revision', 'what is wrong'], rows),
    ...(d.count > shown.length ? [`(${d.count - shown.length} more; -o json lists up to ${d.areas.length})`] : []),
  ];
}

/**
 * The machine report: `{ schema, source, headRevision, compactRevision, totals, keysStillNeeded, findings, warnings?, damage?, keys? }`
 * (`warnings` only when there are any, `damage` only when a salvaged audit met damage).
 * @param report - the audit
 * @param options - `keys: true` adds every key with its revisions' classifications
 * @example
 * ```ts
 * import { renderJson, type AuditReport } from '@atrest/audit';
 * declare const report: AuditReport;
 * JSON.parse(renderJson(report)).totals.latest.stale;
 * ```
 */
export function renderJson(report: AuditReport, options: { keys?: boolean } = {}): string {
  const { keys, ...rest } = report;
  return `${JSON.stringify({ schema: 'atrest.audit/v1', ...rest, ...(options.keys ? { keys } : {}) }, null, 2)}\n`;
}
