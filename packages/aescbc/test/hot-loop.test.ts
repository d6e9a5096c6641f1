import { aesCbcTransformer } from '@atrest/aescbc';
import { describeHotLoop } from '@atrest/test-support/provider-kit';

describeHotLoop([['aescbc', (k, backend) => aesCbcTransformer(k, { backend })]]);
