package bleve

import (
	"context"
	"errors"
	"testing"
)

// TestClose_ThenClear: a rebuild that reaches Clear after shutdown closed
// the index stops with an error instead of closing it again (seen as
// "close of closed channel" when serve stopped during its first rebuild);
// a second Close is harmless.
func TestClose_ThenClear(t *testing.T) {
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Clear(context.Background()); !errors.Is(err, errClosed) {
		t.Fatalf("Clear after Close: %v; want errClosed", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}
