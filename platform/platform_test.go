package platform_test

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/mongo"

	bleveindex "github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/platform"
	"github.com/herstart/herstart/store/storetest"
)

// newServices wires the platform on a database of its own.
func newServices(t *testing.T) (*platform.Services, *mongo.Database) {
	t.Helper()
	db := storetest.Open(t)
	ix, err := bleveindex.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	s, err := platform.New(t.Context(), db, ix, platform.Options{TokenKey: []byte("test key for index tokens 123456")})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestNew_EveryHookSet: the one wiring sets every hook, and a hook left
// unset is an error that names it (not a rule silently switched off).
func TestNew_EveryHookSet(t *testing.T) {
	s, _ := newServices(t)
	s.Candidates.IntroductionLevel = nil
	s.Employers.OnVacancyChange = nil
	err := s.Check()
	if err == nil || !strings.Contains(err.Error(), "candidates.Service.IntroductionLevel") || !strings.Contains(err.Error(), "employers.Service.OnVacancyChange") {
		t.Fatalf("Check with two hooks unset: %v", err)
	}
	if s.Payments.Gateway != nil || s.Payments.ParseEvent != nil {
		t.Fatal("Stripe wired without its configuration")
	}
}
