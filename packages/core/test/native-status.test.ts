import { availableBackends, backendNames, defaultBackend, getBackend, nativeBackend, nativeStatus } from '@atrest/core';
import { describe, expect, it } from 'vitest';

describe('the native backend', () => {
  it('is available where CI requires it (ATREST_REQUIRE_NATIVE=1), and otherwise says why not', () => {
    const status = nativeStatus();
    if (process.env['ATREST_REQUIRE_NATIVE'] === '1') expect(status).toEqual({ available: true });
    if (status.available) {
      expect(nativeBackend?.name).toBe('native');
      expect(backendNames()[0]).toBe('native');
      expect(nativeBackend?.description).toMatch(/^OpenSSL 3\.\S+ via the @atrest\/native addon; secretbox: libsodium via sodium-native/);
    } else {
      expect(nativeBackend).toBeNull();
      expect(status.reason).toMatch(/\S/);
      expect(() => getBackend('native')).toThrow('the native crypto backend is not available');
    }
  });

  it('is the default when it loaded, unless ATREST_CRYPTO_BACKEND chose another', () => {
    const chosen = process.env['ATREST_CRYPTO_BACKEND'];
    expect(defaultBackend().name).toBe(chosen ?? (nativeStatus().available ? 'native' : 'node'));
    expect(availableBackends().map((b) => b.name)).toEqual(backendNames());
  });
});
