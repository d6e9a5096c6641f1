/**
 * Go or no-go for applying a rotation stage, decided from an audit of etcd under the config the
 * cluster runs now.
 * @module
 */
import type { AuditReport } from '@atrest/audit';
import type { LoadedEncryptionConfiguration } from '@atrest/config';

/** What is checked. */
export interface CheckOptions {
  /** The stage about to be applied: 1 (add the read key), 2 (write with it), 3 (drop the old key). */
  readonly stage: 1 | 2 | 3;
  /** Stage 3: the keys (`provider:name`) the next config no longer has. */
  readonly removedKeys?: readonly string[];
  /** Whether the audit read old revisions too (`--history`): then they gate stage 3 as well. */
  readonly history: boolean;
}

/** The verdict. */
export interface CheckResult {
  readonly stage: 1 | 2 | 3;
  readonly go: boolean;
  /** Why not (empty when go). */
  readonly reasons: readonly string[];
  /** What the audit cannot see and the operator must make sure of. */
  readonly notes: readonly string[];
  /** Stage 3: the keys being removed, with how many latest values and old revisions need each. */
  readonly removed: readonly { id: string; latest: number; history: number }[];
}

/**
 * The keys a reader with `next` loses compared with `current`: for every resource a rule of
 * `current` names, its chain's keys that the rule `next` uses for that resource lacks.
 * @param current - the config the cluster runs (stage 2)
 * @param next - the config about to be applied (stage 3)
 * @returns `provider:name` ids, sorted
 * @example
 * ```ts
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * import { removedKeys } from '@atrest/rotate';
 * declare const stage2: string, stage3: string;
 * console.log(removedKeys(loadEncryptionConfiguration(stage2), loadEncryptionConfiguration(stage3)));
 * ```
 */
export function removedKeys(current: LoadedEncryptionConfiguration, next: LoadedEncryptionConfiguration): string[] {
  const removed = new Set<string>();
  for (const r of current.resources) {
    const kept = new Set(next.ruleForResource(r.groupResource)?.chain ?? ['identity']);
    for (const id of r.chain) if (!kept.has(id)) removed.add(id);
  }
  return [...removed].sort();
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * Decide whether stage `options.stage` may be applied, from an audit made with the config the
 * cluster runs now (for stage 3, the stage-2 config).
 * @param report - `auditSnapshot` or `auditRevisions` under the current config
 * @param options - the stage, the keys stage 3 removes, whether old revisions were read
 * @returns go, and the reasons when not
 * @example
 * ```ts
 * import type { AuditReport } from '@atrest/audit';
 * import { checkStage } from '@atrest/rotate';
 * declare const report: AuditReport;
 * const verdict = checkStage(report, { stage: 3, removedKeys: ['aescbc:key1'], history: true });
 * if (!verdict.go) console.log(verdict.reasons.join('\n'));
 * ```
 */
export function checkStage(report: AuditReport, options: CheckOptions): CheckResult {
  const reasons: string[] = [];
  const notes: string[] = [];
  const t = report.totals;
  if (report.damage !== undefined) reasons.push(`the snapshot is damaged (${plural(report.damage.count, 'area')} skipped): every count is a lower bound`);
  const undecryptableLatest = t.latest.byStatus.undecryptable;
  const undecryptableOld = t.history.byStatus.undecryptable ?? 0;
  if (undecryptableLatest > 0) reasons.push(`${plural(undecryptableLatest, 'latest value')} cannot be decrypted with --config (listed under Findings): find the key they need first`);
  if (undecryptableOld > 0) {
    if (options.history) reasons.push(`${plural(undecryptableOld, 'old revision')} cannot be decrypted with --config`);
    else notes.push(`${plural(undecryptableOld, 'old revision')} cannot be decrypted with --config (not a gate without --history)`);
  }
  const removed: { id: string; latest: number; history: number }[] = [];
  if (options.stage === 1) {
    notes.push('--config must be the config every kube-apiserver runs now: atrest reads etcd, not the apiservers\' flags.');
  }
  if (options.stage === 2) {
    notes.push('Every kube-apiserver must already run stage 1 (read the new key) before any of them writes with it. atrest cannot see that from etcd: check each control-plane node (restarted, or its automatic reload succeeded).');
  }
  if (options.stage === 3) {
    const keys = options.removedKeys ?? [];
    if (keys.length === 0) reasons.push('stage 3 removes no key of --config: nothing to check (wrong --next or --old-key?)');
    for (const id of keys) {
      const n = report.keysStillNeeded.needed.find((k) => k.id === id);
      const latest = id === 'identity' ? t.latest.byStatus.plaintext : (n?.latest ?? 0);
      const history = id === 'identity' ? (t.history.byStatus.plaintext ?? 0) : (n?.history ?? 0);
      removed.push({ id, latest, history });
      if (latest > 0) reasons.push(`${plural(latest, 'latest value')} still ${latest === 1 ? 'needs' : 'need'} ${id}: run atrest reencrypt with --config (stage 2) first`);
      if (history > 0 && options.history) {
        reasons.push(`${plural(history, 'old revision')} still ${history === 1 ? 'needs' : 'need'} ${id}: wait until etcd compacts them (kube-apiserver compacts every 5 minutes by default) or run etcdctl compact`);
      }
      if (history > 0 && !options.history) notes.push(`${plural(history, 'old revision')} still need ${id} (a gate only with --history)`);
    }
    if (!options.history && report.source.kind === 'etcd') notes.push('Old revisions were not read: with --history they must not need the removed keys either.');
    notes.push('Backups taken before the re-encryption still need the removed keys: keep a copy for as long as you keep those backups.');
  }
  return { stage: options.stage, go: reasons.length === 0, reasons, notes, removed };
}

/**
 * The verdict for people, with the audit's keys-still-needed table.
 * @example
 * ```ts
 * import type { AuditReport } from '@atrest/audit';
 * import { checkStage, renderCheck } from '@atrest/rotate';
 * declare const report: AuditReport;
 * process.stdout.write(renderCheck(checkStage(report, { stage: 1, history: false }), report));
 * ```
 */
export function renderCheck(result: CheckResult, report: AuditReport): string {
  const t = report.totals;
  const out = [
    `stage ${result.stage}: ${result.go ? 'GO' : 'NO-GO'}`,
    ...result.reasons.map((r) => `  no-go: ${r}`),
    ...result.notes.map((n) => `  note: ${n}`),
    '',
    `audited: ${t.latest.byStatus.encrypted} encrypted, ${t.latest.byStatus.plaintext} plaintext, ${t.latest.byStatus.undecryptable} undecryptable latest values; ${t.history.revisions} old revisions`,
    '',
    'Keys still needed (by any latest or old revision)',
  ];
  const removed = new Set(result.removed.map((r) => r.id));
  const rows = [['provider:key', 'latest', 'old', 'in config', ...(result.stage === 3 ? ['removed by stage 3'] : [])]];
  for (const n of report.keysStillNeeded.needed) rows.push([n.id, String(n.latest), String(n.history), n.configured ? 'yes' : 'NO', ...(result.stage === 3 ? [removed.has(n.id) ? 'YES' : ''] : [])]);
  for (const r of result.removed) if (!report.keysStillNeeded.needed.some((n) => n.id === r.id)) rows.push([r.id, String(r.latest), String(r.history), 'yes', 'YES']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) out.push(row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  return `${out.join('\n')}\n`;
}
