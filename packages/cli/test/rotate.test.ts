/**
 * A whole key rotation against Debian's etcd, driven only by `atrest rotate plan`'s files and the
 * commands its README names: aescbc key1 -> a new aesgcm key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveEtcd } from '@atrest/test-support';
import { seededEtcd, type SeededEtcd } from './_seeded-etcd.js';
import { run } from './_run.js';

const secret = Buffer.alloc(32, 1).toString('base64');
const CURRENT = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc: { keys: [{ name: key1, secret: ${secret} }] }
      - identity: {}
`;

describe.skipIf(!haveEtcd())('atrest rotate', () => {
  const N = 50;
  let s: SeededEtcd;
  beforeAll(async () => {
    s = await seededEtcd('rotate', CURRENT, N);
    writeFileSync(join(s.dir, 'current.yaml'), CURRENT);
  }, 60_000);
  afterAll(() => s?.close());

  it('plan, check each stage, reencrypt: stage 3 is no-go until every value is under the new key', async () => {
    const current = join(s.dir, 'current.yaml');
    const out = join(s.dir, 'plan');
    const plan = await run(['rotate', 'plan', '--config', current, '--provider', 'aesgcm', '--out', out]);
    expect(plan.code, plan.stderr).toBe(0);
    const newKey = /-> (aesgcm:key-\d{8}-[0-9a-f]{4})/.exec(plan.stdout.toString())?.[1] as string;
    expect(newKey).toBeDefined();
    const stage = (n: number): string => join(out, `stage-${n}.yaml`);
    const readme = readFileSync(join(out, 'README'), 'utf8');
    // The README's commands, with this etcd's endpoint in place of the example flags.
    const commands = readme
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('atrest '))
      .map((l) => l.replace(/--endpoints .*$/, `--endpoints ${s.etcd.endpoint}`).split(' ').slice(1));
    const [check1, check2, reencrypt, check3] = [
      commands.find((c) => c.includes('--stage') && c.includes('1')),
      commands.find((c) => c.includes('--stage') && c.includes('2')),
      commands.find((c) => c[0] === 'reencrypt'),
      commands.find((c) => c.includes('--stage') && c.includes('3')),
    ] as string[][];
    expect(check3).toContain('--history');

    const r1 = await run(check1!);
    expect(r1.code, r1.stdout.toString() + r1.stderr).toBe(0);
    expect(r1.stdout.toString()).toMatch(/^stage 1: GO\n/);
    const r2 = await run(check2!);
    expect(r2.code, r2.stdout.toString() + r2.stderr).toBe(0);
    expect(r2.stdout.toString()).toContain('Every kube-apiserver must already run stage 1');

    // Before the re-encryption, dropping key1 would lose every value.
    const early = await run(check3!);
    expect(early.code).toBe(3);
    expect(early.stdout.toString()).toContain(`stage 3: NO-GO\n  no-go: ${N} latest values still need aescbc:key1: run atrest reencrypt`);
    expect(early.stdout.toString()).toMatch(/aescbc:key1 +50 +0 +yes +YES/);
    const viaOldKey = await run(['rotate', 'check', '--stage', '3', '--config', stage(2), '--old-key', 'aescbc:key1', '--endpoints', s.etcd.endpoint, '-o', 'json']);
    expect(viaOldKey.code).toBe(3);
    expect(JSON.parse(viaOldKey.stdout.toString()).removed).toEqual([{ id: 'aescbc:key1', latest: N, history: 0 }]);
    // The same verdict from a snapshot.
    const before = join(s.dir, 'before.db');
    s.etcd.ctl(['snapshot', 'save', before]);
    const snap = await run(['rotate', 'check', '--stage', '3', '--config', stage(2), '--next', stage(3), before]);
    expect(snap.code).toBe(3);
    expect(snap.stdout.toString()).toContain(`${N} latest values still need aescbc:key1`);

    const re = await run(reencrypt!);
    expect(re.code, re.stdout.toString() + re.stderr).toBe(0);
    expect(re.stdout.toString()).toContain(`aescbc:key1 -> ${newKey}: ${N}`);

    // Old revisions still hold key1's bytes until etcd compacts them: --history says no-go.
    const hist = await run(check3!);
    expect(hist.code).toBe(3);
    expect(hist.stdout.toString()).toContain(`${N} old revisions still need aescbc:key1`);
    const latestOnly = await run(check3!.filter((a) => a !== '--history'));
    expect(latestOnly.code, latestOnly.stdout.toString()).toBe(0);
    s.etcd.ctl(['compact', String(JSON.parse(s.etcd.ctl(['endpoint', 'status', '-w', 'json']))[0].Status.header.revision)]);
    const r3 = await run(check3!);
    expect(r3.code, r3.stdout.toString() + r3.stderr).toBe(0);
    expect(r3.stdout.toString()).toMatch(/^stage 3: GO\n/);
    const after = join(s.dir, 'after.db');
    s.etcd.ctl(['snapshot', 'save', after]);
    const snapAfter = await run(['rotate', 'check', '--stage', '3', '--config', stage(2), '--next', stage(3), '--history', after]);
    expect(snapAfter.code, snapAfter.stdout.toString()).toBe(0);

    // The stage-3 config reads everything.
    const final = await run(['rotate', 'check', '--stage', '1', '--config', stage(3), '--endpoints', s.etcd.endpoint]);
    expect(final.code).toBe(0);
  }, 120_000);

  it('usage mistakes are exit 2; a wrong config is no-go', async () => {
    const current = join(s.dir, 'current.yaml');
    expect((await run(['rotate', 'check', '--stage', '4', '--config', current, '--endpoints', s.etcd.endpoint])).code).toBe(2);
    expect((await run(['rotate', 'check', '--stage', '3', '--config', current, '--endpoints', s.etcd.endpoint])).code).toBe(2);
    expect((await run(['rotate', 'check', '--stage', '3', '--config', current, '--old-key', 'aescbc:nope', '--endpoints', s.etcd.endpoint])).code).toBe(2);
    expect((await run(['rotate', 'frobnicate'])).code).toBe(2);
    const wrong = join(s.dir, 'wrong.yaml');
    writeFileSync(wrong, CURRENT.replace(secret, Buffer.alloc(32, 9).toString('base64')));
    const r = await run(['rotate', 'check', '--stage', '1', '--config', wrong, '--endpoints', s.etcd.endpoint]);
    expect(r.code).toBe(3);
    expect(r.stdout.toString()).toMatch(/no-go: \d+ latest values cannot be decrypted with --config/);
  });
});
