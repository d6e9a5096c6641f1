/**
 * `atrest rotate plan` and `atrest rotate check`: a three-stage key rotation, each stage gated
 * on an audit of etcd.
 * @module
 */
import { readFileSync } from 'node:fs';
import { auditRevisions, auditSnapshot, type AuditReport, toYamlDocument } from '@atrest/audit';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { checkStage, planRotation, removedKeys, renderCheck, ROTATABLE, type RotatableProvider, writeRotationPlan } from '@atrest/rotate';
import { outputFormat, parse, required } from '../_args.js';
import { CONFIG_FLAGS, loadConfigFile, wiringOf } from '../_config.js';
import { Exit, UsageError } from '../_errors.js';
import { auditTmpDir, type CliIO } from '../_io.js';
import { LIVE_FLAGS, LIVE_USAGE, liveRevisions, liveSourceFacts, openLive, snapshotOrLive, withCompactionRetry } from '../_live.js';

export const rotateUsage = `atrest rotate plan --config CURRENT.yaml --out DIR [--provider aesgcm|aescbc|secretbox] [--resource R] [--force]
  Writes DIR/stage-1.yaml (a new random 32-byte key, named key-<yyyymmdd>-<hex>, read but not yet
  written: second in the rule), DIR/stage-2.yaml (the new key written: first), DIR/stage-3.yaml
  (the old write key removed) and DIR/README with the commands to run between stages. Every rule
  written with aescbc, aesgcm or secretbox is rotated (--resource: only the rule naming R); kms and
  identity rules are left alone and listed. --provider: the new key's provider (default: the
  rule's current one). Only the rotated rules' text changes. Files are 0600, DIR 0700; existing
  stage files are not overwritten without --force. Keys are never printed.
atrest rotate check --stage 1|2|3 --config FILE (SNAPSHOT | --endpoints URL) [--next FILE]
                    [--old-key PROVIDER:NAME]... [--history] [-o table|json|yaml] [--kms-mock NAME=base64[:KEYID]]...
  Go or no-go for applying stage N, from an audit of etcd under --config, the config the cluster
  runs now (stage 1: the current one; stage 2: stage-1.yaml; stage 3: stage-2.yaml). Stages 1 and
  2: go when every latest value decrypts with --config (stage 2 also needs every kube-apiserver to
  run stage 1, which atrest cannot see from etcd). Stage 3: the keys removed are those --next
  (stage-3.yaml) lacks, or those given with --old-key; go only when no latest value needs one
  (with --history: no old revision either), nothing is undecryptable and nothing is damaged.
  Exit status: 0 go; 3 no-go (reasons listed); 1 on failure; 2 for a command-line mistake.
${LIVE_USAGE}`;

/** Run `atrest rotate plan|check`. */
export async function rotateCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'plan') return planCommand(rest, io);
  if (sub === 'check') return checkCommand(rest, io);
  throw new UsageError(sub === undefined ? 'rotate needs plan or check' : `unknown rotate command "${sub}"`);
}

async function planCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string' },
    out: { type: 'string' },
    provider: { type: 'string' },
    resource: { type: 'string' },
    force: { type: 'boolean', default: false },
  });
  const current = required(values.config, 'config');
  const dir = required(values.out, 'out');
  const provider = values.provider;
  if (provider !== undefined && !(ROTATABLE as readonly string[]).includes(provider)) throw new UsageError(`--provider takes ${ROTATABLE.join(', ')}, got "${provider}"`);
  const plan = planRotation(readFileSync(current, 'utf8'), {
    source: current,
    ...(provider !== undefined ? { provider: provider as RotatableProvider } : {}),
    ...(values.resource !== undefined ? { resource: values.resource } : {}),
  });
  const files = writeRotationPlan(dir, plan, { current, dir, force: values.force === true });
  for (const r of plan.rotated) io.stdout(`rotating ${r.resources.join(', ')}: ${r.oldKey} -> ${r.newKey}\n`);
  for (const s of plan.skipped) io.stdout(`left alone ${s.resources.join(', ')}: ${s.reason}\n`);
  io.stdout(`wrote ${files.join(', ')}\nnext: follow ${files[3]}\n`);
  return Exit.Ok;
}

async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      stage: { type: 'string' },
      ...CONFIG_FLAGS,
      next: { type: 'string' },
      'old-key': { type: 'string', multiple: true },
      history: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o', default: 'table' },
      ...LIVE_FLAGS,
    },
    true,
  );
  const stageText = required(values.stage, 'stage');
  if (!['1', '2', '3'].includes(stageText)) throw new UsageError(`--stage takes 1, 2 or 3, got "${stageText}"`);
  const stage = Number(stageText) as 1 | 2 | 3;
  const live = snapshotOrLive('rotate check', positionals, values, io);
  const output = outputFormat(values.output, ['table', 'json', 'yaml']);
  const oldKeys = values['old-key'] ?? [];
  if (stage === 3 && values.next === undefined && oldKeys.length === 0) throw new UsageError('--stage 3 needs --next STAGE-3.yaml or --old-key PROVIDER:NAME');
  if (stage !== 3 && (values.next !== undefined || oldKeys.length > 0)) throw new UsageError('--next and --old-key go with --stage 3');
  const wiring = wiringOf(values);
  const config = await loadConfigFile(required(values.config, 'config'), wiring);
  const removed = new Set<string>();
  if (values.next !== undefined) for (const id of removedKeys(config, await loadConfigFile(values.next, wiring))) removed.add(id);
  const configured = new Set(config.resources.flatMap((r) => r.chain));
  for (const id of oldKeys) {
    if (!configured.has(id)) throw new UsageError(`--old-key ${id} is not a key of --config (keys: ${[...configured].sort().join(', ')})`);
    removed.add(id);
  }
  const history = values.history === true;
  let report: AuditReport;
  if (live) {
    const etcd = await openLive(values, io);
    try {
      report = await withCompactionRetry(etcd, io, 'rotate check', (facts) => auditRevisions(liveRevisions(etcd, facts, history), liveSourceFacts(facts, history), { config, ...auditTmpDir(io) }));
    } finally {
      etcd.close();
    }
  } else {
    const snapshot = openSnapshot(positionals[0] as string, { truncated: 'tolerate' });
    try {
      report = await auditSnapshot(snapshot, { config, salvage: true, ...auditTmpDir(io) });
    } finally {
      snapshot.close();
    }
  }
  const result = checkStage(report, { stage, removedKeys: [...removed].sort(), history });
  const doc = { schema: 'atrest.rotate-check/v1', ...result, keysStillNeeded: report.keysStillNeeded, source: report.source };
  io.stdout(output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : output === 'yaml' ? toYamlDocument(JSON.parse(JSON.stringify(doc))) : renderCheck(result, report));
  return result.go ? Exit.Ok : 3;
}
