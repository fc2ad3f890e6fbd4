package store

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns prefix followed by 16 random lowercase base32 characters
// (80 bits): unguessable, so an id reveals nothing and cannot be enumerated.
func NewID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + strings.ToLower(idEncoding.EncodeToString(b))
}

// ValidID reports whether id has the shape NewID(prefix) gives, so that a
// malformed id is refused before it reaches the database.
func ValidID(id, prefix string) bool {
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
