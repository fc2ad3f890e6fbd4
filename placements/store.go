package placements

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Store keeps introductions and placements, and one list document per
// owner ("employer:e_…", "worker:u_…", "candidate:c_…", "mentor:u_…") so
// that every list is one _id read (FerretDB scans on any other filter).
type Store struct {
	intros     *mongo.Collection
	placements *mongo.Collection
	lists      *mongo.Collection
	templates  *mongo.Collection
	archive    *mongo.Collection // check-ins beyond a placement's newest, one document each
	claims     *store.Keys       // "candidate:c_…" → the claim of its one active placement; "open:c_…|v_…" → its open introduction
	versions   *store.Versions
	locks      store.Locks
}

// NewStore returns the Store over db.
func NewStore(db *mongo.Database) *Store {
	return &Store{intros: db.Collection("introductions"), placements: db.Collection("placements"),
		lists: db.Collection("placement_lists"), templates: db.Collection("checkin_templates"), archive: db.Collection("placement_checkins"),
		claims: store.NewKeys(db, "placement_claims"), versions: store.NewVersions(db)}
}

// Collections names the collections the Store uses.
func (s *Store) Collections() []string {
	return []string{s.intros.Name(), s.placements.Name(), s.lists.Name(), s.templates.Name(), s.archive.Name(), s.claims.Name()}
}

type stepDoc struct {
	State string    `bson:"state"`
	By    string    `bson:"by"`
	Role  string    `bson:"role"`
	At    time.Time `bson:"at"`
}

type interviewDoc struct {
	At    time.Time `bson:"at"`
	Place string    `bson:"place"`
}

type termsDoc struct {
	StartDate    time.Time  `bson:"start_date"`
	EndDate      *time.Time `bson:"end_date,omitempty"`
	Contract     string     `bson:"contract"`
	HoursPerWeek int        `bson:"hours_per_week"`
}

type introDoc struct {
	ID          string        `bson:"_id"`
	CandidateID string        `bson:"candidate_id"`
	WorkerID    string        `bson:"worker_id"`
	VacancyID   string        `bson:"vacancy_id"`
	EmployerID  string        `bson:"employer_id"`
	State       string        `bson:"state"`
	ConsentID   string        `bson:"consent_id,omitempty"`
	Interview   *interviewDoc `bson:"interview,omitempty"`
	Terms       *termsDoc     `bson:"terms,omitempty"`
	Reason      string        `bson:"reason,omitempty"`
	History     []stepDoc     `bson:"history"`
	CreatedAt   time.Time     `bson:"created_at"`
	UpdatedAt   time.Time     `bson:"updated_at"`
	Version     int64         `bson:"version"`
	Writes      []string      `bson:"writes,omitempty"`
	PlaceClaim  string        `bson:"place_claim,omitempty"`
}

func toIntroDoc(in Introduction) introDoc {
	d := introDoc{ID: in.ID, CandidateID: string(in.CandidateID), WorkerID: string(in.WorkerID), VacancyID: string(in.VacancyID),
		EmployerID: string(in.EmployerID), State: string(in.State), ConsentID: in.ConsentID, Reason: in.Reason, History: []stepDoc{},
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, Version: in.Version, Writes: in.writes, PlaceClaim: in.PlaceClaim}
	if in.Interview != nil {
		d.Interview = &interviewDoc{At: in.Interview.At, Place: in.Interview.Place}
	}
	if t := in.Terms; t != nil {
		d.Terms = &termsDoc{t.StartDate, t.EndDate, t.Contract, t.HoursPerWeek}
	}
	for _, h := range in.History {
		d.History = append(d.History, stepDoc{string(h.State), string(h.By), string(h.Role), h.At})
	}
	return d
}

func (d introDoc) toDomain() Introduction {
	in := Introduction{ID: d.ID, CandidateID: candidates.ID(d.CandidateID), WorkerID: users.ID(d.WorkerID), VacancyID: employers.VacancyID(d.VacancyID),
		EmployerID: employers.ID(d.EmployerID), State: State(d.State), ConsentID: d.ConsentID, Reason: d.Reason,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version, writes: d.Writes, PlaceClaim: d.PlaceClaim}
	if d.Interview != nil {
		in.Interview = &InterviewPlan{At: d.Interview.At.UTC(), Place: d.Interview.Place}
	}
	if t := d.Terms; t != nil {
		in.Terms = &Terms{t.StartDate.UTC(), t.EndDate, t.Contract, t.HoursPerWeek}
	}
	for _, h := range d.History {
		in.History = append(in.History, Step{State(h.State), users.ID(h.By), users.Role(h.Role), h.At.UTC()})
	}
	return in
}

var errIntroNotFound = apperr.Errorf(apperr.NotFound, "Introduction not found.")

func (s *Store) intro(ctx context.Context, id string) (Introduction, error) {
	var d introDoc
	if err := find(ctx, s.intros, id, &d, errIntroNotFound); err != nil {
		return Introduction{}, err
	}
	return d.toDomain(), nil
}

var errActivePlacement = apperr.Errorf(apperr.Conflict, "This candidate has an active placement already.")

// claimPlacement takes the candidate's one active placement for owner (a
// place step's claim): a unique key, so of any number of place steps, on
// any number of instances, one holds it until its placement ends.
// Errors: Conflict (another placement holds it).
func (s *Store) claimPlacement(ctx context.Context, c candidates.ID, owner string) error {
	err := s.claims.Claim(ctx, "candidate:"+string(c), owner)
	if errors.Is(err, store.ErrKeyTaken) {
		return errActivePlacement
	}
	return err
}

var errOpenIntroduction = apperr.Errorf(apperr.Conflict, "This candidate is being introduced for this vacancy already.")

// openKey names the one open introduction of a candidate for a vacancy.
func openKey(c candidates.ID, v employers.VacancyID) string {
	return "open:" + string(c) + "|" + string(v)
}

// claimOpen takes the candidate's one open introduction for the vacancy
// for the introduction id: a unique key, so of any number of creating
// requests, on any number of instances, one holds it until its
// introduction closes (placed, declined, withdrawn).
// Errors: Conflict (another open introduction holds it).
func (s *Store) claimOpen(ctx context.Context, c candidates.ID, v employers.VacancyID, id string) error {
	err := s.claims.Claim(ctx, openKey(c, v), id)
	if errors.Is(err, store.ErrKeyTaken) {
		return errOpenIntroduction
	}
	return err
}

// releaseOpen gives the key up, if the introduction id holds it (one that
// closed, or whose creation did not land).
func (s *Store) releaseOpen(ctx context.Context, c candidates.ID, v employers.VacancyID, id string) error {
	if c == "" || v == "" || id == "" {
		return nil
	}
	return s.claims.Release(ctx, openKey(c, v), id)
}

// releasePlacement gives the candidate's active-placement key up, if owner
// holds it (a place step that did not land, a placement that ended).
func (s *Store) releasePlacement(ctx context.Context, c candidates.ID, owner string) error {
	if owner == "" || c == "" {
		return nil
	}
	return s.claims.Release(ctx, "candidate:"+string(c), owner)
}

// saveIntro inserts a new introduction (version 1) or replaces one
// conditionally on the version before. Errors: store.ErrStale.
func (s *Store) saveIntro(ctx context.Context, in Introduction) error {
	return s.save(ctx, s.intros, in.ID, in.Version, toIntroDoc(in))
}

// find reads coll's document id into d; notFound when there is none.
func find(ctx context.Context, coll *mongo.Collection, id string, d any, notFound error) error {
	err := coll.FindOne(ctx, bson.M{"_id": id}).Decode(d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return notFound
	case err != nil:
		return fmt.Errorf("find %s %s: %w", coll.Name(), id, err)
	}
	return nil
}

// save inserts doc at version 1 (one that exists already is left as it
// is: a follow-up that runs again inserts nothing twice) or replaces it
// conditionally on the version before. Errors: store.ErrStale.
func (s *Store) save(ctx context.Context, coll *mongo.Collection, id string, version int64, doc any) error {
	if version == 1 {
		if _, err := coll.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("insert %s %s: %w", coll.Name(), id, err)
		}
		return nil
	}
	if err := s.versions.Replace(ctx, coll, id, version-1, doc); err != nil {
		return fmt.Errorf("save %s %s: %w", coll.Name(), id, err)
	}
	return nil
}

// An introduction's list entry: "state|updated_ms|candidate|vacancy|employer".
func introEntry(in Introduction) string {
	return strings.Join([]string{string(in.State), strconv.FormatInt(in.UpdatedAt.UnixMilli(), 10), string(in.CandidateID), string(in.VacancyID), string(in.EmployerID)}, "|")
}

func decodeIntroEntry(id, e string) IntroductionSummary {
	p := strings.SplitN(e, "|", 5)
	for len(p) < 5 {
		p = append(p, "")
	}
	ms, _ := strconv.ParseInt(p[1], 10, 64)
	return IntroductionSummary{ID: id, State: State(p[0]), UpdatedAt: time.UnixMilli(ms).UTC(), CandidateID: p[2], VacancyID: p[3], EmployerID: p[4]}
}

// setEntry writes one entry of an owner's list (store.UpdateList: no
// concurrent writer loses one).
func (s *Store) setEntry(ctx context.Context, owner, key, value string) error {
	return store.SetListEntry(ctx, s.versions, &s.locks, s.lists, owner, key, value)
}

// setEntries replaces, in an owner's list, the entries of group (the key
// group itself and keys "group#…") with set; an empty set removes them.
func (s *Store) setEntries(ctx context.Context, owner, group string, set map[string]string) error {
	return store.UpdateList(ctx, s.versions, &s.locks, s.lists, owner, func(e bson.M) {
		for k := range e {
			if k == group || strings.HasPrefix(k, group+"#") {
				delete(e, k)
			}
		}
		for k, v := range set {
			e[k] = v
		}
	})
}

// entries returns an owner's list: key → entry.
func (s *Store) entries(ctx context.Context, owner string) (map[string]string, error) {
	return store.ListEntries(ctx, s.lists, owner)
}

// introList returns an owner's introductions, most recently changed first.
func (s *Store) introList(ctx context.Context, owner string) ([]IntroductionSummary, error) {
	es, err := s.entries(ctx, "intro:"+owner)
	if err != nil {
		return nil, err
	}
	out := make([]IntroductionSummary, 0, len(es))
	for id, e := range es {
		out = append(out, decodeIntroEntry(id, e))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// listIntro writes in's entry in the lists of its employer, its worker
// and its candidate.
func (s *Store) listIntro(ctx context.Context, in Introduction) error {
	e := introEntry(in)
	for _, owner := range []string{"employer:" + string(in.EmployerID), "worker:" + string(in.WorkerID), "candidate:" + string(in.CandidateID)} {
		if err := s.setEntry(ctx, "intro:"+owner, in.ID, e); err != nil {
			return err
		}
	}
	return nil
}
