// Package ids makes and checks the platform's record ids: a prefix naming
// the kind ("c_" candidate, "e_" employer, …) and 16 random base-32
// characters. It imports nothing of the platform, so the edge (api, web)
// and the domain share it without the edge importing storage.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a fresh id with prefix.
func New(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + strings.ToLower(encoding.EncodeToString(b))
}

// Derived returns the id with prefix that key always gives (the first 10
// bytes of its SHA-256, in the shape of New): a step that may run twice —
// a resumed import's line, a retried request — makes the same record.
func Derived(prefix, key string) string {
	h := sha256.Sum256([]byte(key))
	return prefix + strings.ToLower(encoding.EncodeToString(h[:10]))
}

// Valid reports whether id has the shape New(prefix) gives, so that a
// malformed id is refused before it reaches the database.
func Valid(id, prefix string) bool {
	if len(id) <= len(prefix) || len(id) > len(prefix)+32 || !strings.HasPrefix(id, prefix) {
		return false
	}
	for _, r := range id[len(prefix):] {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
