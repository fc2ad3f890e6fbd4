package bleve_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
)

// FilesHolding lists the files under dir that contain s.
func filesHolding(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(s)) {
			out = append(out, filepath.Base(path))
		}
		return nil
	})
	return out
}

// TestPurge_DeletedCardLeavesTheFiles: a deleted document stays in its
// segment's file (only marked); Purge rewrites the segment, and the
// planted values are gone from every file of the index — also when the
// index was one compacted segment, and with others kept.
func TestPurge_DeletedCardLeavesTheFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	doc := func(id, words string) matching.CandidateDoc {
		return matching.CandidateDoc{ID: id, SkillText: words, Skills: []string{"s1"}, HoursPerWeek: 32, Place: "Utrecht", Lat: 52.09, Lon: 5.12,
			TravelRadiusKm: 20, AgeBand: "25-34", ConfirmedAt: time.Now(), AvailableFrom: time.Now()}
	}
	var docs []matching.CandidateDoc
	for i := range 50 {
		docs = append(docs, doc(fmt.Sprintf("c_keep%03d", i), fmt.Sprintf("heftruck magazijn woord%03d", i)))
	}
	// The erased candidate's planted values: a home place's exact point and
	// a certificate only they hold (the card keeps both as written).
	erased := doc("c_erased", "zebrapluimvlechter quasimodokaart")
	erased.Lat, erased.Certificates = 52.0987654321, []string{"cert-zebra-7734"}
	docs = append(docs, erased)
	if err := ix.UpsertCandidates(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := ix.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	planted := "52.0987654321"
	for i := 0; i < 100 && len(filesHolding(t, dir, planted)) == 0; i++ {
		time.Sleep(50 * time.Millisecond) // the persister writes the batch's segment
	}
	if got := filesHolding(t, dir, planted); len(got) == 0 {
		t.Fatal("control: the planted value is not in the index files before the erasure, so its absence after would show nothing")
	}
	if err := ix.DeleteCandidates(ctx, "c_erased"); err != nil {
		t.Fatal(err)
	}
	if got := filesHolding(t, dir, planted); len(got) == 0 {
		t.Log("note: the delete alone already rewrote the files")
	} else {
		t.Logf("after the delete, before the purge: %v still hold it", got)
	}
	if err := ix.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{planted, "cert-zebra-7734", "zebrapluim"} {
		if got := filesHolding(t, dir, v); len(got) > 0 {
			t.Fatalf("after the purge %v still hold the erased candidate's %q", got, v)
		}
	}
	if got := filesHolding(t, dir, "52.09|"); len(got) == 0 {
		t.Fatal("the purge lost the candidates it should keep")
	}
	res, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Words: []string{"heftruck"}, Limit: 100})
	if err != nil || res.Total != 50 {
		t.Fatalf("after the purge: %d found (%v); want the 50 kept", res.Total, err)
	}
	// Nothing deleted: the purge is quick and changes nothing.
	start := time.Now()
	if err := ix.Purge(ctx); err != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("an idle purge: %v in %s", err, time.Since(start))
	}
}
