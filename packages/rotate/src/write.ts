/**
 * Writing a planned rotation to a directory: the stage files (0600: they hold keys) and a README
 * with the commands to run between stages.
 * @module
 */
import { constants, mkdirSync, openSync, writeSync, closeSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AtrestError, ErrorCode } from '@atrest/core';
import type { RotationPlan } from './plan.js';

/** The files a plan writes, in order. */
export const PLAN_FILES = ['stage-1.yaml', 'stage-2.yaml', 'stage-3.yaml', 'README'] as const;

/** How the commands in the README name things. */
export interface ReadmeOptions {
  /** The file the plan was made from, as the operator named it. */
  readonly current: string;
  /** The plan's directory, as the operator named it. */
  readonly dir: string;
}

/**
 * The README: what each stage changes and the exact commands before, between and after stages.
 * @param plan - the plan
 * @param names - the current config's and the directory's names, as given on the command line
 * @returns the README text (no key material)
 * @example
 * ```ts
 * import { planRotation, rotationReadme } from '@atrest/rotate';
 * declare const text: string;
 * console.log(rotationReadme(planRotation(text), { current: 'encryption.yaml', dir: 'rotation' }));
 * ```
 */
export function rotationReadme(plan: RotationPlan, names: ReadmeOptions): string {
  const f = (n: number): string => join(names.dir, `stage-${n}.yaml`);
  const etcd = '--endpoints https://127.0.0.1:2379 --cacert ca.crt --cert client.crt --key client.key';
  const apply = (n: number): string[] => [
    `   Copy ${f(n)} to the path of --encryption-provider-config on EVERY control-plane node`,
    '   (mode 0600, owned by the user kube-apiserver runs as), then restart every kube-apiserver',
    '   (or, with --encryption-provider-config-automatic-reload, wait until every one has reloaded it:',
    '   apiserver_encryption_config_controller_automatic_reload_success_total rises).',
  ];
  const lines = [
    'Key rotation plan (atrest rotate plan)',
    '',
    `Made from ${names.current}. Rules rotated:`,
    ...plan.rotated.map((r) => `  ${r.resources.join(', ')}: ${r.oldKey} -> ${r.newKey}`),
    ...(plan.skipped.length > 0 ? ['Rules left alone:', ...plan.skipped.map((s) => `  ${s.resources.join(', ')}: ${s.reason}`)] : []),
    '',
    'Files: stage-1.yaml adds the new key as a read key (second); stage-2.yaml makes it the write key',
    '(first, the old key second); stage-3.yaml removes the old write key. They hold keys: keep them 0600',
    'and delete them when done. Replace the etcd flags below with your cluster\'s.',
    '',
    '1. Check that the current config reads every value:',
    `   atrest rotate check --stage 1 --config ${names.current} ${etcd}`,
    '   (or on a snapshot: etcdctl snapshot save now.db; atrest rotate check --stage 1 --config ' + `${names.current} now.db)`,
    ...apply(1),
    '',
    '2. When EVERY kube-apiserver runs stage 1 (each must read the new key before any writes with it):',
    `   atrest rotate check --stage 2 --config ${f(1)} ${etcd}`,
    ...apply(2),
    '',
    '3. When EVERY kube-apiserver runs stage 2, rewrite every value under the new key:',
    `   atrest reencrypt --config ${f(2)} ${etcd}`,
    '   (or kubectl get secrets --all-namespaces -o json | kubectl replace -f -, per resource)',
    '',
    '4. Check that nothing still needs the old key, then remove it:',
    `   atrest rotate check --stage 3 --config ${f(2)} --next ${f(3)} --history ${etcd}`,
    '   Old revisions keep the old bytes until etcd compacts them; --history counts them too. Backups',
    '   taken before step 3 still need the old key: keep a copy of it for as long as you keep them.',
    ...apply(3),
    '',
    `5. Make ${f(3)} your current config and delete the stage files.`,
    '',
    'atrest rotate check exits 0 for go, 3 for no-go (reasons listed), 1 on failure.',
    '',
  ];
  return lines.join('\n');
}

/**
 * Write the plan's files into `dir` (created 0700 when missing), each 0600.
 * @param dir - the directory
 * @param plan - the plan
 * @param options - README names; `force` overwrites existing stage files
 * @throws AtrestError ERR_INVALID_ARGUMENT when a stage file exists and `force` is not set
 * @example
 * ```ts
 * import { planRotation, writeRotationPlan } from '@atrest/rotate';
 * declare const text: string;
 * writeRotationPlan('rotation', planRotation(text), { current: 'encryption.yaml', dir: 'rotation' });
 * ```
 */
export function writeRotationPlan(dir: string, plan: RotationPlan, options: ReadmeOptions & { readonly force?: boolean }): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = PLAN_FILES.map((name) => join(dir, name));
  if (options.force !== true) {
    const existing = files.filter((f) => existsSync(f));
    if (existing.length > 0) throw new AtrestError(ErrorCode.InvalidArgument, `${existing.join(', ')} already exist(s); use --force to overwrite`, { errno: 'EEXIST' });
  }
  const texts = [...plan.stages, rotationReadme(plan, options)];
  files.forEach((file, i) => {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      writeSync(fd, texts[i] as string);
    } finally {
      closeSync(fd);
    }
    chmodSync(file, 0o600); // an existing file keeps its mode through open()
  });
  return files;
}
