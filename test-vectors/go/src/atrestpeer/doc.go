// Package atrestpeer is atrest's own, independent implementation of the Kubernetes
// encryption-at-rest stored-value formats (identity, aescbc, aesgcm, secretbox, kms v1, kms v2).
//
// It was written from the format descriptions in test-vectors/upstream/README.md, not from
// upstream code, using only the Go standard library and golang.org/x/crypto (secretbox, hkdf).
// Its job is to be a second opinion: the differential test suite (test-vectors/test) checks that
// atrest and this package read each other's output, and that this package reads the upstream
// vectors, so a mistake shared by atrest and its own tests cannot go unnoticed.
//
// Every function here takes and returns complete stored values, prefix included
// ("k8s:enc:aesgcm:v1:key1:" + payload), the way they sit in etcd. The "context" argument is
// the etcd key: the additional authenticated data of aesgcm and both kms versions, ignored by
// aescbc and secretbox. Error texts are upstream's where upstream has one, so failures can be
// compared with atrest's.
//
// KMS plugins are represented by upstream's Base64 mock (Base64Wrap / Base64Unwrap): the
// wrapped DEK or seed is the standard base64 text of its bytes.
package atrestpeer
