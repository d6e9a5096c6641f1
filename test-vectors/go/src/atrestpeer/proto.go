package atrestpeer

import (
	"errors"
	"fmt"
	"sort"
)

// The kms v2 EncryptedObject message (proto3), encoded and decoded by hand with the protobuf
// wire format (https://protobuf.dev/programming-guides/encoding/) so the peer shares no
// generated code with anyone:
//
//	1 encryptedData          bytes                 wire type 2
//	2 keyID                  string                wire type 2
//	3 encryptedDEKSource     bytes                 wire type 2
//	4 annotations            map<string, bytes>    wire type 2, one entry message per pair
//	                                               (entry: 1 key string, 2 value bytes)
//	5 encryptedDEKSourceType enum                  wire type 0 (0 AES_GCM_KEY is omitted)
const (
	// SourceAESGCMKey: the unwrapped source is the AES-256-GCM key itself.
	SourceAESGCMKey int32 = 0
	// SourceHKDFSeed (HKDF_SHA256_XNONCE_AES_GCM_SEED): the unwrapped source is a seed; each
	// value's key is derived from it with HKDF-Expand and a random 32-byte info.
	SourceHKDFSeed int32 = 1
)

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// EncryptedObject is the decoded kms v2 envelope.
type EncryptedObject struct {
	EncryptedData          []byte
	KeyID                  string
	EncryptedDEKSource     []byte
	Annotations            map[string][]byte
	EncryptedDEKSourceType int32
}

// Marshal encodes the object in field-number order, omitting proto3 default values; map entries
// are written in sorted key order (any order is valid) with both key and value present.
func (o *EncryptedObject) Marshal() []byte {
	var out []byte
	out = appendBytesField(out, 1, o.EncryptedData)
	out = appendBytesField(out, 2, []byte(o.KeyID))
	out = appendBytesField(out, 3, o.EncryptedDEKSource)
	keys := make([]string, 0, len(o.Annotations))
	for k := range o.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var entry []byte
		entry = appendTag(entry, 1, wireBytes)
		entry = appendLengthDelimited(entry, []byte(k))
		entry = appendTag(entry, 2, wireBytes)
		entry = appendLengthDelimited(entry, o.Annotations[k])
		out = appendTag(out, 4, wireBytes)
		out = appendLengthDelimited(out, entry)
	}
	if o.EncryptedDEKSourceType != 0 {
		out = appendTag(out, 5, wireVarint)
		// Negative enum values are sign-extended to 64 bits on the wire.
		out = appendVarint(out, uint64(int64(o.EncryptedDEKSourceType)))
	}
	return out
}

// UnmarshalEncryptedObject decodes the wire bytes. Like any proto3 parser it skips unknown
// fields, keeps the last occurrence of a repeated scalar field, and merges map entries (the last
// value for a key wins). Groups and malformed input are errors.
func UnmarshalEncryptedObject(b []byte) (*EncryptedObject, error) {
	o := &EncryptedObject{}
	err := walkFields(b, func(field uint64, wire int, varint uint64, data []byte) error {
		switch field {
		case 1, 2, 3, 4:
			if wire != wireBytes {
				return fmt.Errorf("field %d has wire type %d, want %d", field, wire, wireBytes)
			}
		case 5:
			if wire != wireVarint {
				return fmt.Errorf("field 5 has wire type %d, want %d", wire, wireVarint)
			}
		}
		switch field {
		case 1:
			o.EncryptedData = append([]byte{}, data...)
		case 2:
			o.KeyID = string(data)
		case 3:
			o.EncryptedDEKSource = append([]byte{}, data...)
		case 4:
			k, v, err := unmarshalMapEntry(data)
			if err != nil {
				return err
			}
			if o.Annotations == nil {
				o.Annotations = map[string][]byte{}
			}
			o.Annotations[k] = v
		case 5:
			o.EncryptedDEKSourceType = int32(varint) // proto enums are int32; higher bits drop
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to unmarshal encrypted object: %v", err)
	}
	return o, nil
}

func unmarshalMapEntry(b []byte) (string, []byte, error) {
	var key string
	value := []byte{}
	err := walkFields(b, func(field uint64, wire int, _ uint64, data []byte) error {
		if (field == 1 || field == 2) && wire != wireBytes {
			return fmt.Errorf("annotation entry field %d has wire type %d", field, wire)
		}
		switch field {
		case 1:
			key = string(data)
		case 2:
			value = append([]byte{}, data...)
		}
		return nil
	})
	return key, value, err
}

// walkFields calls visit for each field of a message: varint fields get their value, length-
// delimited fields their bytes; fixed-width fields are checked for length and skipped.
func walkFields(b []byte, visit func(field uint64, wire int, varint uint64, data []byte) error) error {
	for len(b) > 0 {
		tag, n := readVarint(b)
		if n == 0 {
			return errors.New("truncated or overlong tag")
		}
		b = b[n:]
		field, wire := tag>>3, int(tag&7)
		if field == 0 || field > 1<<29-1 {
			return fmt.Errorf("invalid field number %d", field)
		}
		var varint uint64
		var data []byte
		switch wire {
		case wireVarint:
			varint, n = readVarint(b)
			if n == 0 {
				return errors.New("truncated or overlong varint")
			}
			b = b[n:]
		case wireFixed64, wireFixed32:
			size := 8
			if wire == wireFixed32 {
				size = 4
			}
			if len(b) < size {
				return errors.New("truncated fixed-width field")
			}
			b = b[size:]
		case wireBytes:
			length, n := readVarint(b)
			if n == 0 || length > uint64(len(b)-n) {
				return errors.New("truncated length-delimited field")
			}
			data = b[n : n+int(length)]
			b = b[n+int(length):]
		default:
			return fmt.Errorf("unsupported wire type %d", wire)
		}
		if err := visit(field, wire, varint, data); err != nil {
			return err
		}
	}
	return nil
}

// readVarint returns the value and the number of bytes used, or 0 bytes when the varint is
// truncated or longer than 10 bytes / 64 bits.
func readVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field uint64, wire int) []byte {
	return appendVarint(b, field<<3|uint64(wire))
}

func appendLengthDelimited(b, data []byte) []byte {
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// appendBytesField writes a proto3 bytes/string field, omitted when empty (the default).
func appendBytesField(b []byte, field uint64, data []byte) []byte {
	if len(data) == 0 {
		return b
	}
	b = appendTag(b, field, wireBytes)
	return appendLengthDelimited(b, data)
}
