package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// DefaultMaxKeyLength is the longest caller key stored as is; longer keys are hashed.
const DefaultMaxKeyLength = 200

// keyer builds store keys: Namespace "prefix:version", Name the caller's key. Keys longer than
// max are replaced by the hex SHA-256 of the key in the namespace "prefix:version#", which no
// caller key can reach.
type keyer struct {
	ns, hashedNS string
	max          int
}

func newKeyer(prefix string, version uint64, max int) keyer {
	ns := prefix + ":" + strconv.FormatUint(version, 10)
	return keyer{ns: ns, hashedNS: ns + "#", max: max}
}

func (k keyer) key(name string) (Key, error) {
	if name == "" {
		return Key{}, ErrEmptyKey
	}
	if len(name) > k.max {
		sum := sha256.Sum256([]byte(name))
		return Key{Namespace: k.hashedNS, Name: hex.EncodeToString(sum[:])}, nil
	}
	return Key{Namespace: k.ns, Name: name}, nil
}
