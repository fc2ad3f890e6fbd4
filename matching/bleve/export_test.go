package bleve

import blv "github.com/blevesearch/bleve/v2"

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
