package platform

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// CheckInvariants reads the whole database and reports every promise of
// docs/invariants.md that does not hold, one finding per line: after a
// crash (the kill test), after a restore (herstart restore) and on demand
// (herstart check). It reads the stored documents themselves, not the
// services' views, so a broken promise cannot hide behind the code that
// should have kept it. The audit chain is verified with its signed
// checkpoints when pub is given (file: the newest checkpoint outside the
// database, may be "").
// Errors: the database's.
func CheckInvariants(ctx context.Context, s *Services, pub ed25519.PublicKey, file string) ([]string, error) {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	// more reports each group of records that holds more than one of what
	// may be one (what: "active placements").
	more := func(groups map[string][]string, what string) {
		for _, k := range sortedKeys(groups) {
			if len(groups[k]) > 1 {
				add("%s has %d %s (%v)", k, len(groups[k]), what, groups[k])
			}
		}
	}

	// One active placement per candidate; a guarantee's cover never exceeded.
	type claimDoc struct {
		AmountCents int64  `bson:"amount_cents"`
		State       string `bson:"state"`
	}
	type placementDoc struct {
		ID          string `bson:"_id"`
		CandidateID string `bson:"candidate_id"`
		State       string `bson:"state"`
		Guarantees  []struct {
			N          int        `bson:"n"`
			CoverCents int64      `bson:"cover_cents"`
			Claims     []claimDoc `bson:"claims"`
		} `bson:"guarantees"`
	}
	active := map[string][]string{}
	err := each(ctx, s, "placements", func(raw bson.Raw) error {
		var p placementDoc
		if err := bson.Unmarshal(raw, &p); err != nil {
			return err
		}
		if p.State == "active" {
			k := "candidate " + p.CandidateID
			active[k] = append(active[k], p.ID)
		}
		for _, g := range p.Guarantees {
			var approved int64
			for _, c := range g.Claims {
				if c.State == "approved" {
					approved += c.AmountCents
				}
			}
			if approved > g.CoverCents {
				add("placement %s: guarantee %d has %d cents approved against a cover of %d", p.ID, g.N, approved, g.CoverCents)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	more(active, "active placements")

	// One open introduction per candidate and vacancy.
	type introDoc struct {
		ID          string `bson:"_id"`
		CandidateID string `bson:"candidate_id"`
		VacancyID   string `bson:"vacancy_id"`
		State       string `bson:"state"`
	}
	open := map[string][]string{}
	err = each(ctx, s, "introductions", func(raw bson.Raw) error {
		var in introDoc
		if err := bson.Unmarshal(raw, &in); err != nil {
			return err
		}
		if placements.State(in.State).Open() {
			k := "candidate " + in.CandidateID + " for vacancy " + in.VacancyID
			open[k] = append(open[k], in.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	more(open, "open introductions")

	// At most one consent in force per candidate × employer × level.
	type candidateDoc struct {
		ID       string `bson:"_id"`
		Consents []struct {
			EmployerID  string     `bson:"employer_id"`
			Level       int        `bson:"level"`
			ExpiresAt   time.Time  `bson:"expires_at"`
			WithdrawnAt *time.Time `bson:"withdrawn_at"`
		} `bson:"consents"`
	}
	now := time.Now()
	err = each(ctx, s, "candidates", func(raw bson.Raw) error {
		var c candidateDoc
		if err := bson.Unmarshal(raw, &c); err != nil {
			return err
		}
		seen := map[string]int{}
		for _, k := range c.Consents {
			if k.WithdrawnAt == nil && now.Before(k.ExpiresAt) {
				key := fmt.Sprintf("%s level %d", k.EmployerID, k.Level)
				if seen[key]++; seen[key] == 2 {
					add("candidate %s has two consents in force for %s", c.ID, key)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// A payout paid once and in one file; a scheme's budget not exceeded:
	// each scheme's ledger, summed from its payouts' own entries.
	coord := users.WithActor(ctx, users.Actor{UserID: "system", Role: users.Coordinator})
	schemes, err := s.Payments.Schemes(coord)
	if err != nil {
		return nil, err
	}
	for _, sc := range schemes {
		b, err := s.Payments.Balance(coord, sc.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range b.Problems {
			add("scheme %s: %s", sc.ID, p)
		}
		if b.RemainingCents < 0 {
			add("scheme %s: %d cents committed and paid beyond its budget of %d", sc.ID, -b.RemainingCents, b.BudgetCents)
		}
	}

	// One audit chain, intact and reaching its newest signed checkpoint.
	rep, err := s.Audit.VerifySigned(ctx, pub, file)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		add("audit log broken at event %d: %s", rep.FirstBroken, rep.Problem)
	}
	return out, nil
}

// each calls fn with every document of the collection.
func each(ctx context.Context, s *Services, collection string, fn func(bson.Raw) error) error {
	cur, err := s.DB.Collection(collection).Find(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("check %s: %w", collection, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			return fmt.Errorf("check %s: %w", collection, err)
		}
	}
	return cur.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
