package atrestbench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The kms v2 EncryptedObject (proto3), encoded by hand from the wire format
// (https://protobuf.dev/programming-guides/encoding/):
//
//	1 encryptedData          bytes
//	2 keyID                  string
//	3 encryptedDEKSource     bytes
//	4 annotations            map<string, bytes> (entries: 1 key, 2 value)
//	5 encryptedDEKSourceType enum, 0 AES_GCM_KEY (omitted), 1 HKDF_SHA256_XNONCE_AES_GCM_SEED
const (
	sourceAESGCMKey int32 = 0
	sourceHKDFSeed  int32 = 1

	wireVarint = 0
	wireBytes  = 2

	maxKeyIDSize       = 1024
	maxDEKSourceSize   = 1024
	maxAnnotationsSize = 32 * 1024
)

// EncryptedObject is a decoded kms v2 envelope. After unmarshal, EncryptedData aliases the
// input (it is only read); the small fields are copies.
type EncryptedObject struct {
	EncryptedData          []byte
	KeyID                  string
	EncryptedDEKSource     []byte
	Annotations            map[string][]byte
	EncryptedDEKSourceType int32
}

// sortedAnnotationKeys gives a deterministic order for encoding and cache keys.
func (o *EncryptedObject) sortedAnnotationKeys() []string {
	if len(o.Annotations) == 0 {
		return nil
	}
	keys := make([]string, 0, len(o.Annotations))
	for k := range o.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Marshal encodes o into one allocation of exactly the encoded size, fields in number order,
// proto3 defaults omitted.
func (o *EncryptedObject) Marshal() []byte {
	keys := o.sortedAnnotationKeys()
	size := bytesFieldSize(len(o.EncryptedData)) + bytesFieldSize(len(o.KeyID)) + bytesFieldSize(len(o.EncryptedDEKSource))
	for _, k := range keys {
		size += 1 + lengthDelimitedSize(entrySize(k, o.Annotations[k]))
	}
	if o.EncryptedDEKSourceType != 0 {
		size += 1 + varintSize(uint64(int64(o.EncryptedDEKSourceType)))
	}
	out := make([]byte, 0, size)
	out = appendBytesField(out, 1, o.EncryptedData)
	out = appendStringField(out, 2, o.KeyID)
	out = appendBytesField(out, 3, o.EncryptedDEKSource)
	for _, k := range keys {
		out = append(out, 4<<3|wireBytes)
		out = binary.AppendUvarint(out, uint64(entrySize(k, o.Annotations[k])))
		out = append(out, 1<<3|wireBytes)
		out = binary.AppendUvarint(out, uint64(len(k)))
		out = append(out, k...)
		out = append(out, 2<<3|wireBytes)
		out = binary.AppendUvarint(out, uint64(len(o.Annotations[k])))
		out = append(out, o.Annotations[k]...)
	}
	if o.EncryptedDEKSourceType != 0 {
		out = append(out, 5<<3|wireVarint)
		out = binary.AppendUvarint(out, uint64(int64(o.EncryptedDEKSourceType)))
	}
	return out
}

// UnmarshalEncryptedObject decodes b: known fields must have their wire type, unknown fields
// are skipped, strings must be UTF-8.
func UnmarshalEncryptedObject(b []byte) (*EncryptedObject, error) {
	o := &EncryptedObject{}
	err := walkFields(b, func(field uint64, wire int, v uint64, data []byte) error {
		switch {
		case field >= 1 && field <= 4 && wire != wireBytes, field == 5 && wire != wireVarint:
			return fmt.Errorf("wrong wire type %d for field %d", wire, field)
		}
		switch field {
		case 1:
			o.EncryptedData = data
		case 2:
			o.KeyID = string(data)
		case 3:
			o.EncryptedDEKSource = append([]byte(nil), data...)
		case 4:
			var k string
			var val []byte
			if err := walkFields(data, func(f uint64, w int, _ uint64, d []byte) error {
				if (f == 1 || f == 2) && w != wireBytes {
					return fmt.Errorf("wrong wire type %d for annotation field %d", w, f)
				}
				switch f {
				case 1:
					k = string(d)
				case 2:
					val = append([]byte{}, d...)
				}
				return nil
			}); err != nil {
				return err
			}
			if o.Annotations == nil {
				o.Annotations = map[string][]byte{}
			}
			o.Annotations[k] = val
		case 5:
			o.EncryptedDEKSourceType = int32(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to unmarshal encrypted object: %v", err)
	}
	if !utf8.ValidString(o.KeyID) {
		return nil, errors.New("proto: field v2.EncryptedObject.keyID contains invalid UTF-8")
	}
	for k := range o.Annotations {
		if !utf8.ValidString(k) {
			return nil, errors.New("proto: annotation key contains invalid UTF-8")
		}
	}
	return o, nil
}

// Validate applies the envelope's limits: known source type, non-empty data, wrapped source
// and key ID of 1..1024 bytes, annotation keys that are domain names, <= 32 KiB of annotations.
func (o *EncryptedObject) Validate() error {
	if o.EncryptedDEKSourceType != sourceAESGCMKey && o.EncryptedDEKSourceType != sourceHKDFSeed {
		return fmt.Errorf("unknown encryptedDEKSourceType: %d", o.EncryptedDEKSourceType)
	}
	if len(o.EncryptedData) == 0 {
		return errors.New("encrypted data is empty")
	}
	if n := len(o.EncryptedDEKSource); n == 0 || n > maxDEKSourceSize {
		return fmt.Errorf("encrypted DEK source is %d bytes, want 1..%d", n, maxDEKSourceSize)
	}
	if n := len(o.KeyID); n == 0 || n > maxKeyIDSize {
		return fmt.Errorf("keyID is %d bytes, want 1..%d", n, maxKeyIDSize)
	}
	total := 0
	for k, v := range o.Annotations {
		if !isDomainName(k) {
			return fmt.Errorf("annotation key %q is not a fully qualified domain name", k)
		}
		total += len(k) + len(v)
	}
	if total > maxAnnotationsSize {
		return fmt.Errorf("total size of annotations is %d, more than %d", total, maxAnnotationsSize)
	}
	return nil
}

// isDomainName: at most 253 characters of two or more dot-separated labels of lowercase
// alphanumerics and inner '-', 1..63 characters each; one trailing dot allowed.
func isDomainName(name string) bool {
	name = strings.TrimSuffix(name, ".")
	labels := strings.Split(name, ".")
	if len(name) == 0 || len(name) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// walkFields calls visit for each field of a message: varints with their value, length-
// delimited fields with their bytes (aliasing b); fixed-width fields are skipped.
func walkFields(b []byte, visit func(field uint64, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad tag")
		}
		b = b[n:]
		field, wire := tag>>3, int(tag&7)
		if field == 0 {
			return errors.New("illegal tag 0")
		}
		var v uint64
		var data []byte
		switch wire {
		case wireVarint:
			if v, n = binary.Uvarint(b); n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errors.New("unexpected EOF")
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		case 1, 5: // fixed64, fixed32
			size := 8
			if wire == 5 {
				size = 4
			}
			if len(b) < size {
				return errors.New("unexpected EOF")
			}
			b = b[size:]
		default:
			return fmt.Errorf("unsupported wire type %d", wire)
		}
		if err := visit(field, wire, v, data); err != nil {
			return err
		}
	}
	return nil
}

func varintSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func lengthDelimitedSize(n int) int { return varintSize(uint64(n)) + n }

// bytesFieldSize is the encoded size of a bytes field with a one-byte tag, 0 when empty.
func bytesFieldSize(n int) int {
	if n == 0 {
		return 0
	}
	return 1 + lengthDelimitedSize(n)
}

func entrySize(k string, v []byte) int {
	return 1 + lengthDelimitedSize(len(k)) + 1 + lengthDelimitedSize(len(v))
}

func appendBytesField(out []byte, field byte, data []byte) []byte {
	if len(data) == 0 {
		return out
	}
	out = append(out, field<<3|wireBytes)
	out = binary.AppendUvarint(out, uint64(len(data)))
	return append(out, data...)
}

func appendStringField(out []byte, field byte, s string) []byte {
	if len(s) == 0 {
		return out
	}
	out = append(out, field<<3|wireBytes)
	out = binary.AppendUvarint(out, uint64(len(s)))
	return append(out, s...)
}
