package bleve_test

import (
	"testing"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/indextest"
)

func TestConformance(t *testing.T) {
	indextest.Run(t, func(t *testing.T) matching.Index {
		ix, err := bleve.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	})
}

func TestConformance_InMemory(t *testing.T) {
	indextest.Run(t, func(t *testing.T) matching.Index {
		ix, err := bleve.Open("")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	})
}
