package bleve

import (
	"testing"
	"unsafe"
)

// TestRowLayout: the fields every walked row is filtered by lie in its
// first 64 bytes, and a row is whole cache lines long (see row).
func TestRowLayout(t *testing.T) {
	var r row
	if end := unsafe.Offsetof(r.conflicts) + unsafe.Sizeof(r.conflicts); end > 64 {
		t.Errorf("the filtered fields end at byte %d; want within the first 64", end)
	}
	if n := unsafe.Sizeof(r); n%64 != 0 {
		t.Errorf("a row is %d bytes; want a multiple of 64", n)
	}
}
