package candidates_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

func input() candidates.Input {
	return candidates.Input{
		Identity:       candidates.IdentityInput{FirstName: "Mila", LastName: "Bos", BirthDate: "1998-06-01", Email: "mila@example.nl"},
		Skills:         []string{"schoonmaken"},
		HoursPerWeek:   24,
		AvailableFrom:  time.Now().Format(time.DateOnly),
		HomePlace:      "Zwolle",
		TravelRadiusKm: 10,
		Restrictions:   candidates.RestrictionsInput{Curfew: &candidates.CurfewInput{From: "22:00", To: "06:00"}, RiskAreaConflicts: []string{"money"}},
	}
}

// TestCaseload_HealsAfterCrash stands in for a crash between saving a
// candidate and updating the caseload: the outbox task is left, and a drain
// brings the caseload in line.
func TestCaseload_HealsAfterCrash(t *testing.T) {
	db := storetest.Open(t)
	ob := store.NewOutbox(db, nil)
	rec := audit.NewRecorder(db, nil)
	svc := candidates.NewService(candidates.NewStore(db), rec, places.New(), ob, nil)
	ctx := users.WithActor(context.Background(), users.Actor{UserID: "u_w", Role: users.ProbationWorker})
	r, err := svc.Create(ctx, input())
	if err != nil {
		t.Fatal(err)
	}
	// Undo the caseload write and leave the task, as a crash would.
	if _, err := db.Collection("caseloads").DeleteOne(ctx, bson.M{"_id": "u_w"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ob.Enqueue(ctx, "candidates.caseload", "u_w/"+string(r.ID)); err != nil {
		t.Fatal(err)
	}
	// An identity whose profile was never written (crash after the first write).
	if _, err := db.Collection("candidate_identities").InsertOne(ctx, bson.M{"_id": "c_orphan", "first_name": "X"}); err != nil {
		t.Fatal(err)
	}
	ob.Enqueue(ctx, "candidates.caseload", "u_w/c_orphan")

	if list, _ := svc.List(ctx); len(list) != 0 {
		t.Fatalf("caseload before drain = %d entries; want 0", len(list))
	}
	if n, err := ob.Drain(ctx, time.Now().Add(time.Second)); err != nil || n != 2 {
		t.Fatalf("drain = %d, %v", n, err)
	}
	list, _ := svc.List(ctx)
	if len(list) != 1 || list[0].ID != r.ID || list[0].DisplayName != "Mila B." {
		t.Fatalf("caseload after drain = %+v", list)
	}
	if n, _ := db.Collection("candidate_identities").CountDocuments(ctx, bson.M{"_id": "c_orphan"}); n != 0 {
		t.Fatal("orphaned identity left behind")
	}
}

func TestDisclose_Levels(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	c := candidates.Candidate{
		ID: "c_x", Status: candidates.Available,
		Identity: candidates.Identity{FirstName: "Mila", LastName: "Bos", BirthDate: time.Date(1998, 6, 1, 0, 0, 0, 0, time.UTC),
			Email: "mila@example.nl", Phone: "+31 6 1", Address: "Straat 1", Postcode: "8011AA"},
		Profile:      candidates.Profile{Skills: []string{"schoonmaken"}, HomePlace: candidates.Place{Name: "Zwolle", Province: "Overijssel"}, WorkHistory: []string{"x"}},
		Restrictions: candidates.Restrictions{RiskAreaConflicts: []string{"money"}, Curfew: &candidates.Curfew{From: "22:00", To: "06:00"}},
	}
	card := candidates.Disclose(c, 0, now).(candidates.Card)
	if card.AgeBand != "25-34" || card.Place != "Zwolle" {
		t.Fatalf("card = %+v", card)
	}
	intro := candidates.Disclose(c, 1, now).(candidates.Level1)
	if intro.FirstName != "Mila" || intro.Curfew == nil {
		t.Fatalf("level 1 = %+v", intro)
	}
	full := candidates.Disclose(c, 2, now).(candidates.Level2)
	if full.Email != "mila@example.nl" || full.LastName != "Bos" {
		t.Fatalf("level 2 = %+v", full)
	}
}

func TestConsentLevel_WithdrawAndExpiry(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	withdrawn := now.Add(-time.Hour)
	c := candidates.Candidate{Consents: []candidates.Consent{
		{EmployerID: "e1", Level: 1, ExpiresAt: now.Add(24 * time.Hour)},
		{EmployerID: "e1", Level: 2, ExpiresAt: now.Add(24 * time.Hour), WithdrawnAt: &withdrawn},
		{EmployerID: "e2", Level: 2, ExpiresAt: now.Add(-time.Minute)},
	}}
	if l := c.ConsentLevel("e1", now); l != 1 {
		t.Fatalf("e1 level = %d; want 1 (level 2 withdrawn)", l)
	}
	if l := c.ConsentLevel("e2", now); l != 0 {
		t.Fatalf("e2 level = %d; want 0 (expired)", l)
	}
	if l := c.ConsentLevel("e3", now); l != 0 {
		t.Fatalf("e3 level = %d; want 0", l)
	}
}
