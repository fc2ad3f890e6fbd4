package matching

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Tokens makes the keyed hashes through which the index hides a candidate
// from the employers on their conflict list and from sectors they exclude,
// without holding an employer id, a KvK number or an excluded sector: the
// index files on disk (or a Meilisearch server) show only 64-bit HMACs
// under a key kept in the database (store.Secret). Changing the key needs
// a reindex.
type Tokens struct {
	key []byte
}

// NewTokens returns Tokens under key (at least 16 bytes).
func NewTokens(key []byte) Tokens { return Tokens{key: append([]byte(nil), key...)} }

// Of is the token of one value of a kind ("employer", "kvk", "sector"):
// 16 hex digits.
func (t Tokens) Of(kind, value string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:8])
}
