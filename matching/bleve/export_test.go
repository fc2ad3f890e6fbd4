package bleve

import (
	"context"

	blv "github.com/blevesearch/bleve/v2"
)

// SetSchemaForTest writes another schema version into the index at path,
// as an earlier release would have left it.
func SetSchemaForTest(path, version string) error {
	idx, err := blv.Open(path)
	if err != nil {
		return err
	}
	if err := idx.SetInternal([]byte(schemaKey), []byte(version)); err != nil {
		_ = idx.Close()
		return err
	}
	return idx.Close()
}

// TakeTurnForTest holds one of the turns searches wait for (turns.go);
// the returned func gives it back.
func (ix *Index) TakeTurnForTest(ctx context.Context) (func(), error) { return ix.takeTurn(ctx) }
