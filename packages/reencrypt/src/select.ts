/**
 * Which stored values re-encryption looks at: the keys of objects (`/registry/<resource>/…`, and
 * OpenShift's `/kubernetes.io/`, `/openshift.io/`) whose resource is selected. By default a
 * resource is selected when a rule of the configuration covers it (exactly, by `*.<group>` or by
 * `*.*`): those are the resources whose write provider the configuration chooses. Resources no
 * rule covers are stored as plaintext by kube-apiserver and are left alone.
 *
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import { locateKey } from '@atrest/audit';

/** Decides, per etcd key, whether its resource is selected; remembers per resource. */
export class Selection {
  readonly #config: LoadedEncryptionConfiguration;
  readonly #only: ReadonlySet<string> | undefined;
  readonly #seen = new Map<string, boolean>();

  /**
   * @param config - the configuration re-encryption writes with
   * @param resources - group-resources to select (`secrets`, `deployments.apps`); all covered by a rule when absent
   */
  constructor(config: LoadedEncryptionConfiguration, resources?: readonly string[]) {
    this.#config = config;
    this.#only = resources === undefined || resources.length === 0 ? undefined : new Set(resources);
  }

  /** The key's group-resource when it is selected, else undefined. */
  resourceOf(key: Uint8Array): string | undefined {
    const loc = locateKey(fromUtf8(key));
    if (loc.kind !== 'object') return undefined;
    const gr = loc.groupResource;
    let selected = this.#seen.get(gr);
    if (selected === undefined) {
      selected = this.#only !== undefined ? this.#only.has(gr) : this.#config.ruleForResource(gr) !== undefined;
      if (this.#seen.size < 4096) this.#seen.set(gr, selected);
    }
    return selected ? gr : undefined;
  }
}
