import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEncryptionConfiguration } from '@atrest/config';
import { main, type CliIO } from '@atrest/cli';
import { planRotation, writeRotationPlan } from '@atrest/rotate';

const s = (n: number): string => Buffer.alloc(32, n).toString('base64');
const HEAD = `# cluster encryption config\napiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n`;
const SECRETS_CBC = `  - resources: [secrets]   # the secrets rule
    providers:
      - aescbc: { keys: [{ name: key1, secret: ${s(1)} }] }
      - identity: {}
`;
const CONFIGMAPS_GCM = `  - resources:
      - configmaps
    providers:
      - aesgcm:
          keys:
            - name: k
              secret: ${s(2)}   # cm key
            - name: older
              secret: ${s(3)}
      - identity: {}
`;
const KMS = `  - resources: [events]
    providers:
      - kms: { apiVersion: v2, name: plugin, endpoint: unix:///tmp/kms.sock }
`;
const WILDCARD = `  - resources: ['*.*']
    # untouched, odd spacing kept
    providers:
      - identity:   {}
`;

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'atrest-rotate-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const chain = (text: string, resource: string): readonly string[] => loadEncryptionConfiguration(text).ruleForResource(resource)?.chain ?? [];

const validate = async (file: string): Promise<number> => {
  const io: CliIO = { readStdin: async () => new Uint8Array(), stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false, env: {} };
  return main(['validate', file], io);
};

describe('planRotation', () => {
  it('aescbc -> aesgcm: a new provider second, then first, then the aescbc entry gone', () => {
    const p = planRotation(HEAD + SECRETS_CBC, { provider: 'aesgcm', now: new Date('2025-03-04T10:00:00Z') });
    const name = p.rotated[0]?.newKey as string;
    expect(name).toMatch(/^aesgcm:key-20250304-[0-9a-f]{4}$/);
    expect(p.rotated).toEqual([{ resources: ['secrets'], oldKey: 'aescbc:key1', newKey: name }]);
    expect(chain(p.stages[0], 'secrets')).toEqual(['aescbc:key1', name, 'identity']);
    expect(chain(p.stages[1], 'secrets')).toEqual([name, 'aescbc:key1', 'identity']);
    expect(chain(p.stages[2], 'secrets')).toEqual([name, 'identity']);
    for (const st of p.stages) expect(st.startsWith('# cluster encryption config\n')).toBe(true);
    expect(p.stages[0]).toContain('# the secrets rule');
  });

  it('aesgcm -> aesgcm: the new key second in the keys, then first, then the old write key dropped', () => {
    const p = planRotation(HEAD + CONFIGMAPS_GCM);
    const name = p.rotated[0]?.newKey as string;
    expect(name.startsWith('aesgcm:key-')).toBe(true);
    expect(chain(p.stages[0], 'configmaps')).toEqual(['aesgcm:k', name, 'aesgcm:older', 'identity']);
    expect(chain(p.stages[1], 'configmaps')).toEqual([name, 'aesgcm:k', 'aesgcm:older', 'identity']);
    expect(chain(p.stages[2], 'configmaps')).toEqual([name, 'aesgcm:older', 'identity']);
    expect(p.stages[0]).toContain('# cm key');
    expect(p.stages[2]).not.toContain(s(2));
  });

  it('other rules stay byte for byte; kms and identity rules are listed and left alone', () => {
    const text = HEAD + SECRETS_CBC + KMS + CONFIGMAPS_GCM + WILDCARD;
    const p = planRotation(text, { provider: 'secretbox' });
    expect(p.rotated.map((r) => r.resources)).toEqual([['secrets'], ['configmaps']]);
    expect(p.skipped.map((r) => r.resources)).toEqual([['events'], ['*.*']]);
    for (const st of p.stages) {
      expect(st).toContain(KMS + '  - resources:');
      expect(st.endsWith(WILDCARD)).toBe(true);
      expect(st.startsWith(HEAD)).toBe(true);
    }
    const only = planRotation(text, { resource: 'configmaps' });
    expect(only.rotated.map((r) => r.resources)).toEqual([['configmaps']]);
    for (const st of only.stages) expect(st.startsWith(HEAD + SECRETS_CBC + KMS)).toBe(true);
    expect(() => planRotation(text, { resource: 'events' })).toThrow(/written with kms/);
    expect(() => planRotation(text, { resource: 'pods' })).toThrow(/no rule names/);
  });

  it('keys are random: two plans differ', () => {
    const a = planRotation(HEAD + SECRETS_CBC);
    const b = planRotation(HEAD + SECRETS_CBC);
    expect(a.stages[1]).not.toEqual(b.stages[1]);
    const secretOf = (t: string): string[] => [...t.matchAll(/secret: (\S+)/g)].map((m) => m[1] as string).filter((x) => x !== s(1));
    expect(secretOf(a.stages[0])).toHaveLength(1);
    expect(secretOf(a.stages[0])).not.toEqual(secretOf(b.stages[0]));
    expect(Buffer.from(secretOf(a.stages[0])[0] as string, 'base64')).toHaveLength(32);
  });
});

describe('writeRotationPlan and atrest rotate plan', () => {
  it('writes 0600 files into a 0700 directory, each passing atrest validate, and refuses to overwrite', async () => {
    const root = tmp();
    const current = join(root, 'current.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(current, HEAD + SECRETS_CBC + KMS + WILDCARD);
    const out = join(root, 'plan');
    let stdout = '';
    const io: CliIO = { readStdin: async () => new Uint8Array(), stdout: (d) => void (stdout += String(d)), stderr: () => undefined, stderrIsTTY: false, env: {} };
    expect(await main(['rotate', 'plan', '--config', current, '--provider', 'aesgcm', '--out', out], io)).toBe(0);
    expect(stdout).toMatch(/rotating secrets: aescbc:key1 -> aesgcm:key-\d{8}-[0-9a-f]{4}/);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const f of ['stage-1.yaml', 'stage-2.yaml', 'stage-3.yaml', 'README']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    for (const n of [1, 2, 3]) expect(await validate(join(out, `stage-${n}.yaml`))).toBe(0);
    const readme = readFileSync(join(out, 'README'), 'utf8');
    expect(readme).toContain(`atrest rotate check --stage 3 --config ${join(out, 'stage-2.yaml')} --next ${join(out, 'stage-3.yaml')}`);
    expect(readme).toContain(`atrest reencrypt --config ${join(out, 'stage-2.yaml')}`);
    const newSecret = /secret: (\S+)/.exec(readFileSync(join(out, 'stage-3.yaml'), 'utf8').split('aesgcm')[1] as string)?.[1] as string;
    expect(stdout + readme).not.toContain(newSecret);
    const before = readFileSync(join(out, 'stage-1.yaml'), 'utf8');
    expect(await main(['rotate', 'plan', '--config', current, '--out', out], io)).toBe(1);
    expect(readFileSync(join(out, 'stage-1.yaml'), 'utf8')).toBe(before);
    expect(await main(['rotate', 'plan', '--config', current, '--out', out, '--force'], io)).toBe(0);
    expect(readFileSync(join(out, 'stage-1.yaml'), 'utf8')).not.toBe(before);
    expect(await main(['rotate', 'plan', '--config', current, '--out', out, '--provider', 'des'], io)).toBe(2);
    expect(existsSync(join(root, 'nothing'))).toBe(false);
  });

  it('writeRotationPlan refuses existing files without force', () => {
    const out = join(tmp(), 'p');
    const plan = planRotation(HEAD + SECRETS_CBC);
    writeRotationPlan(out, plan, { current: 'c.yaml', dir: out });
    expect(() => writeRotationPlan(out, plan, { current: 'c.yaml', dir: out })).toThrow(/already exist/);
  });
});
