package platform_test

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/platform"
)

// TestCheckInvariants_FindsWhatIsPlanted: broken promises written straight
// into the database (two open introductions of one candidate for one
// vacancy, two active placements, two consents in force for one employer
// and level) are each reported by the check that herstart check and the
// kill test run; a database that keeps them reports nothing.
func TestCheckInvariants_FindsWhatIsPlanted(t *testing.T) {
	s, db := newServices(t)
	ctx := t.Context()
	insert := func(coll string, docs ...any) {
		t.Helper()
		if _, err := db.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	// What keeps the promises: one open and one closed introduction, one
	// active and one ended placement, a withdrawn consent beside a live one.
	later := time.Now().AddDate(0, 6, 0)
	gone := time.Now().AddDate(0, -1, 0)
	insert("introductions",
		bson.M{"_id": "i_a", "candidate_id": "c_1", "vacancy_id": "v_1", "state": "employer_interested"},
		bson.M{"_id": "i_b", "candidate_id": "c_1", "vacancy_id": "v_1", "state": "withdrawn"},
		bson.M{"_id": "i_c", "candidate_id": "c_1", "vacancy_id": "v_2", "state": "interview"})
	insert("placements",
		bson.M{"_id": "p_a", "candidate_id": "c_1", "state": "active"},
		bson.M{"_id": "p_b", "candidate_id": "c_1", "state": "ended"})
	insert("candidates", bson.M{"_id": "c_1", "consents": bson.A{
		bson.M{"employer_id": "e_1", "level": 1, "expires_at": later},
		bson.M{"employer_id": "e_1", "level": 1, "expires_at": later, "withdrawn_at": gone},
		bson.M{"employer_id": "e_1", "level": 2, "expires_at": later}}})
	found, err := platform.CheckInvariants(ctx, s, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 0 {
		t.Fatalf("findings on a database that keeps its promises: %v", found)
	}
	// Then each promise broken once.
	insert("introductions", bson.M{"_id": "i_d", "candidate_id": "c_1", "vacancy_id": "v_1", "state": "proposed"})
	insert("placements", bson.M{"_id": "p_c", "candidate_id": "c_1", "state": "active"})
	insert("candidates", bson.M{"_id": "c_2", "consents": bson.A{
		bson.M{"employer_id": "e_1", "level": 2, "expires_at": later},
		bson.M{"employer_id": "e_1", "level": 2, "expires_at": later}}})
	found, err = platform.CheckInvariants(ctx, s, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(found, "\n")
	for _, want := range []string{"candidate c_1 for vacancy v_1 has 2 open introductions", "candidate c_1 has 2 active placements", "candidate c_2 has two consents in force for e_1 level 2"} {
		if !strings.Contains(all, want) {
			t.Errorf("the check does not report %q; it reports:\n%s", want, all)
		}
	}
	if len(found) != 3 {
		t.Errorf("%d findings; want 3:\n%s", len(found), all)
	}
}
