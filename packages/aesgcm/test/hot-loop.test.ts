import { aesGcmExtendedNonceTransformer, aesGcmTransformer } from '@atrest/aesgcm';
import { describeHotLoop } from '@atrest/test-support/provider-kit';

describeHotLoop([
  ['aesgcm', (k, backend) => aesGcmTransformer(k, { backend })],
  ['aesgcm-extended-nonce', (k, backend) => aesGcmExtendedNonceTransformer(k, { backend })],
]);
