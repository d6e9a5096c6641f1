package atrestpeer

// Upstream's error texts. They are facts of the format (the vectors compare them byte for
// byte), so the peer uses the same words; texts upstream does not pin down are our own.
const (
	errNoMatchingPrefix    = "no matching prefix found"
	errIdentityEncrypted   = "identity transformer tried to read encrypted data"
	errNoMatchingAESKey    = "no matching key was found for the provided AES transformer"
	errNoMatchingBoxKey    = "no matching key was found for the provided Secretbox transformer"
	errGCMAuthentication   = "cipher: message authentication failed"
	errSecretboxOpen       = "output array was not large enough for encryption"
	errTooShort            = "the stored data was shorter than the required size"
	errNotBlockMultiple    = "the stored data is not a multiple of the block size"
	errInvalidPKCS7Data    = "invalid PKCS7 data (empty or not padded)"
	errInvalidPKCS7Padding = "invalid padding on input"
)
