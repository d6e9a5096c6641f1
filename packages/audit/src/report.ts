/**
 * Rendering an {@link AuditReport}: an aligned table for people, and a stable JSON document for
 * tools. Neither ever contains a value's plaintext or key material: only names, ids, counts,
 * revisions and error texts.
 * @module
 */
import type { AuditDamage, AuditReport, Finding, FreePagesReport } from './report-types.js';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** List old-revision findings one by one (otherwise only their counts). */
  readonly history?: boolean;
  /** At most this many findings listed per section (default 50; 0: all); the rest are counted. */
  readonly limit?: number;
}

/** Findings a table lists per section by default. */
export const DEFAULT_TABLE_LIMIT = 50;

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

function findingLines(all: readonly Finding[], limit: number): string {
  const findings = limit > 0 ? all.slice(0, limit) : all;
  const more = all.length - findings.length;
  return [...findings.map((f) => `  ${f.kind.padEnd(17)} ${f.key}${f.keyBase64 === undefined ? '' : ` (bytes ${f.keyBase64})`} @${f.revision}  ${f.id}${f.reason ? `  (${f.reason})` : ''}`), ...(more > 0 ? [`  … and ${more} more; use -o json for all`] : [])].join('\n');
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
  if (report.freePages !== undefined) out.push('', ...freePagesSection(report.freePages, options.history === true));
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
  const residue = report.freePages !== undefined;
  out.push(
    table(
      ['provider:key', 'latest', 'old', ...(residue ? ['free pages'] : []), 'in config'],
      report.keysStillNeeded.needed.map((n) => [n.id, n.latest, n.history, ...(residue ? [n.residue ?? 0] : []), n.configured ? 'yes' : 'NO']),
    ),
  );
  const k = report.keysStillNeeded;
  out.push(k.cannotTell === undefined ? `removable (configured, needed by nothing here): ${k.removable.join(', ') || 'none'}` : `removable: cannot tell: ${k.cannotTell}`);
  const latest = report.findings.filter((f) => !f.kind.startsWith('history-'));
  const history = report.findings.filter((f) => f.kind.startsWith('history-'));
  out.push('');
  out.push(`Findings: ${latest.length} on latest values, ${history.length} on old revisions`);
  const limit = options.limit ?? DEFAULT_TABLE_LIMIT;
  if (latest.length) out.push(findingLines(latest, limit));
  if (options.history && history.length) out.push(findingLines(history, limit));
  out.push('');
  out.push(
    `totals: ${t.latest.byStatus.encrypted} encrypted, ${t.latest.byStatus.plaintext} plaintext, ${t.latest.byStatus.undecryptable} undecryptable, ${t.latest.stale} stale (latest values); ${leftover.length} plaintext old revisions of encrypted objects`,
  );
  return `${out.join('\n')}\n`;
}

/** "Residue in free pages": counts, and what to do about it. */
function freePagesSection(f: FreePagesReport, list: boolean): string[] {
  const plaintext = f.totals.byStatus.plaintext ?? 0;
  const total = f.revisions.length;
  const resources = Object.entries(f.totals.byResource)
    .filter(([, c]) => (c.plaintext ?? 0) > 0)
    .map(([r]) => r);
  const conclusion =
    plaintext > 0
      ? `${plaintext} plaintext revision${plaintext === 1 ? '' : 's'} of ${resources.join(', ')} remain${plaintext === 1 ? 's' : ''} in free pages: run \`etcdctl defrag\` on every member, then take a new backup`
      : total > 0
        ? `${total} old revision${total === 1 ? '' : 's'} remain in free pages, none plaintext: \`etcdctl defrag\` on every member, then a new backup, removes them`
        : 'no old revisions remain in free pages';
  return [
    `Residue in free pages (${f.pages} free pages read; ${f.duplicates} copies of revisions still in the tree${f.skippedElements > 0 ? `; ${f.skippedElements} damaged elements skipped` : ''})`,
    table(['provider:key', 'revisions'], Object.entries(f.totals.byProviderKey).map(([k, n]) => [k, n])),
    conclusion,
    ...(list ? f.revisions.map((r) => `  ${r.status.padEnd(13)} ${r.key}${r.keyBase64 === undefined ? '' : ` (bytes ${r.keyBase64})`} @${r.revision}  ${r.id}  page ${r.page}`) : []),
  ];
}

/** The first line: what was audited. */
function sourceLine(report: AuditReport): string {
  const s = report.source;
  const compacted = `compacted at ${report.compactRevision ?? 'never'}`;
  if (s.kind === 'snapshot') return `etcd snapshot: head revision ${report.headRevision}, ${compacted}`;
  const line = `etcd ${s.endpoints.join(',')} (cluster ${s.clusterId}, member ${s.memberId}): revision ${s.revision}, ${s.compactRevision === 0 ? 'compacted at never' : `compacted at ${s.compactRevision}`}; ${s.history ? 'latest values and every older revision etcd still has' : 'latest values only (--history reads older revisions)'}`;
  if (s.dbSize === undefined || s.dbSizeInUse === undefined) return line;
  const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
  const free = s.dbSize - s.dbSizeInUse;
  return `${line}\ndatabase: ${mib(s.dbSize)} MiB on disk, ${mib(s.dbSizeInUse)} MiB in use${free > 0 ? `: ${mib(free)} MiB of free pages may still hold old revisions until \`etcdctl defrag\` on every member` : ''}`;
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
