package store

import "github.com/herstart/herstart/ids"

// NewID returns a fresh id with prefix (ids.New).
func NewID(prefix string) string { return ids.New(prefix) }

// ValidID reports whether id has the shape NewID(prefix) gives (ids.Valid).
func ValidID(id, prefix string) bool { return ids.Valid(id, prefix) }
