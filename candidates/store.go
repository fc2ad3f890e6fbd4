package candidates

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
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Store keeps candidates in three collections: the profile (candidates), the
// identity (candidate_identities, same _id) and one caseload document per
// probation worker, so that listing a caseload is one _id lookup whatever the
// number of candidates (FerretDB scans on every other filter).
type Store struct {
	profiles   *mongo.Collection
	identities *mongo.Collection
	caseloads  *mongo.Collection
	versions   *store.Versions
	locks      store.Locks
}

// NewStore returns the Store over db.
func NewStore(db *mongo.Database) *Store {
	return &Store{
		profiles:   db.Collection("candidates"),
		identities: db.Collection("candidate_identities"),
		caseloads:  db.Collection("caseloads"),
		versions:   store.NewVersions(db),
	}
}

// Collections names the collections the Store uses.
func (s *Store) Collections() []string {
	return []string{s.profiles.Name(), s.identities.Name(), s.caseloads.Name()}
}

// EnsureIndexes creates the indexes real MongoDB uses for the periodic jobs
// that look for stale profiles.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	// One at a time: FerretDB v1 panics on a createIndexes call with
	// several indexes when they exist already.
	for _, m := range []mongo.IndexModel{
		{Keys: bson.D{{Key: "worker_id", Value: 1}}},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "confirmed_at", Value: 1}}},
	} {
		if _, err := s.profiles.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("candidate indexes: %w", err)
		}
	}
	return nil
}

// DropQueryIndexes removes the indexes EnsureIndexes makes, where they
// serve no query (platform.Options.Backend).
func (s *Store) DropQueryIndexes(ctx context.Context) error {
	return store.DropIndexes(ctx, s.profiles, "worker_id_1", "status_1_confirmed_at_1")
}

type placeDoc struct {
	ID       int     `bson:"id"`
	Name     string  `bson:"name"`
	Province string  `bson:"province"`
	Lat      float64 `bson:"lat"`
	Lon      float64 `bson:"lon"`
}

type banDoc struct {
	Place    string  `bson:"place,omitempty"`
	Lat      float64 `bson:"lat"`
	Lon      float64 `bson:"lon"`
	RadiusKm float64 `bson:"radius_km"`
	Network  bool    `bson:"network,omitempty"`
}

type curfewDoc struct {
	From string `bson:"from"`
	To   string `bson:"to"`
}

type conflictDoc struct {
	ID         string    `bson:"id"`
	EmployerID string    `bson:"employer_id,omitempty"`
	KvK        string    `bson:"kvk,omitempty"`
	Reason     string    `bson:"reason"`
	AddedAt    time.Time `bson:"added_at"`
	Network    bool      `bson:"network,omitempty"`
}

type consentDoc struct {
	ID          string     `bson:"id"`
	EmployerID  string     `bson:"employer_id"`
	Level       int        `bson:"level"`
	Purpose     string     `bson:"purpose"`
	GrantedAt   time.Time  `bson:"granted_at"`
	ExpiresAt   time.Time  `bson:"expires_at"`
	WithdrawnAt *time.Time `bson:"withdrawn_at,omitempty"`
	RecordedBy  string     `bson:"recorded_by"`
	ByCandidate bool       `bson:"by_candidate,omitempty"`
}

type profileDoc struct {
	ID                 string        `bson:"_id"`
	WorkerID           string        `bson:"worker_id"`
	Status             string        `bson:"status"`
	BirthDate          time.Time     `bson:"birth_date"` // kept here too: the card's age band needs it, the identity read does not
	Skills             []string      `bson:"skills"`
	DesiredOccupations []string      `bson:"desired_occupations"`
	Certificates       []string      `bson:"certificates"`
	Languages          []string      `bson:"languages"`
	HoursPerWeek       int           `bson:"hours_per_week"`
	AvailableFrom      time.Time     `bson:"available_from"`
	HomePlace          placeDoc      `bson:"home_place"`
	TravelRadiusKm     int           `bson:"travel_radius_km"`
	Motivation         string        `bson:"motivation"`
	WorkHistory        []string      `bson:"work_history"`
	AreaBans           []banDoc      `bson:"area_bans"`
	ExcludedSectors    []string      `bson:"excluded_sectors"`
	RiskAreaConflicts  []string      `bson:"risk_area_conflicts"`
	Curfew             *curfewDoc    `bson:"curfew,omitempty"`
	Conflicts          []conflictDoc `bson:"conflicts,omitempty"`
	Consents           []consentDoc  `bson:"consents"`
	ConfirmedAt        time.Time     `bson:"confirmed_at"`
	ExitedAt           time.Time     `bson:"exited_at,omitempty"`
	Erasure            *erasureDoc   `bson:"erasure,omitempty"`
	CreatedAt          time.Time     `bson:"created_at"`
	UpdatedAt          time.Time     `bson:"updated_at"`
	Version            int64         `bson:"version"`
	Writes             []string      `bson:"writes,omitempty"` // the outbox tasks of the last writes (maxWrites), newest last
}

type identityDoc struct {
	ID        string    `bson:"_id"`
	FirstName string    `bson:"first_name"`
	LastName  string    `bson:"last_name"`
	BirthDate time.Time `bson:"birth_date"`
	Email     string    `bson:"email,omitempty"`
	Phone     string    `bson:"phone,omitempty"`
	Address   string    `bson:"address,omitempty"`
	Postcode  string    `bson:"postcode,omitempty"`
}

func toDocs(c Candidate) (profileDoc, identityDoc) {
	p := profileDoc{
		ID: string(c.ID), WorkerID: string(c.WorkerID), Status: string(c.Status), BirthDate: c.Identity.BirthDate,
		Skills: c.Profile.Skills, DesiredOccupations: c.Profile.DesiredOccupations, Certificates: c.Profile.Certificates,
		Languages: c.Profile.Languages, HoursPerWeek: c.Profile.HoursPerWeek, AvailableFrom: c.Profile.AvailableFrom,
		HomePlace:      placeDoc(c.Profile.HomePlace),
		TravelRadiusKm: c.Profile.TravelRadiusKm, Motivation: c.Profile.Motivation, WorkHistory: c.Profile.WorkHistory,
		ExcludedSectors: c.Restrictions.ExcludedSectors, RiskAreaConflicts: c.Restrictions.RiskAreaConflicts,
		ConfirmedAt: c.ConfirmedAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, Writes: c.writes,
		AreaBans: []banDoc{}, Consents: []consentDoc{}, ExitedAt: c.ExitedAt,
	}
	if e := c.Erasure; e != nil {
		p.Erasure = &erasureDoc{At: e.At, By: e.By, Reason: e.Reason, Disclosures: e.Disclosures, Consents: e.Consents, Kept: e.Kept}
	}
	for _, b := range c.Restrictions.AreaBans {
		p.AreaBans = append(p.AreaBans, banDoc{Place: b.PlaceName, Lat: b.Lat, Lon: b.Lon, RadiusKm: b.RadiusKm, Network: b.Network})
	}
	if cf := c.Restrictions.Curfew; cf != nil {
		p.Curfew = &curfewDoc{From: cf.From, To: cf.To}
	}
	for _, k := range c.Restrictions.Conflicts {
		p.Conflicts = append(p.Conflicts, conflictDoc(k))
	}
	for _, k := range c.Consents {
		p.Consents = append(p.Consents, consentDoc{k.ID, k.EmployerID, k.Level, k.Purpose, k.GrantedAt, k.ExpiresAt, k.WithdrawnAt, string(k.RecordedBy), k.ByCandidate})
	}
	i := identityDoc{ID: string(c.ID), FirstName: c.Identity.FirstName, LastName: c.Identity.LastName, BirthDate: c.Identity.BirthDate,
		Email: c.Identity.Email, Phone: c.Identity.Phone, Address: c.Identity.Address, Postcode: c.Identity.Postcode}
	return p, i
}

func (p profileDoc) toDomain() Candidate {
	c := Candidate{
		ID: ID(p.ID), WorkerID: users.ID(p.WorkerID), Status: Status(p.Status),
		Identity: Identity{BirthDate: p.BirthDate.UTC()},
		Profile: Profile{
			Skills: p.Skills, DesiredOccupations: p.DesiredOccupations, Certificates: p.Certificates, Languages: p.Languages,
			HoursPerWeek: p.HoursPerWeek, AvailableFrom: p.AvailableFrom.UTC(), HomePlace: Place(p.HomePlace),
			TravelRadiusKm: p.TravelRadiusKm, Motivation: p.Motivation, WorkHistory: p.WorkHistory,
		},
		Restrictions: Restrictions{ExcludedSectors: p.ExcludedSectors, RiskAreaConflicts: p.RiskAreaConflicts},
		ConfirmedAt:  p.ConfirmedAt.UTC(), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version, writes: p.Writes,
	}
	if p.ConfirmedAt.IsZero() || p.ConfirmedAt.Unix() <= 0 {
		c.ConfirmedAt = time.Time{}
	}
	if !p.ExitedAt.IsZero() {
		c.ExitedAt = p.ExitedAt.UTC()
	}
	if e := p.Erasure; e != nil {
		c.Erasure = &Erasure{CandidateID: c.ID, At: e.At.UTC(), By: e.By, Reason: e.Reason, Disclosures: e.Disclosures, Consents: e.Consents, Kept: e.Kept}
	}
	for _, b := range p.AreaBans {
		c.Restrictions.AreaBans = append(c.Restrictions.AreaBans, AreaBan{PlaceName: b.Place, Lat: b.Lat, Lon: b.Lon, RadiusKm: b.RadiusKm, Network: b.Network})
	}
	if p.Curfew != nil {
		c.Restrictions.Curfew = &Curfew{From: p.Curfew.From, To: p.Curfew.To}
	}
	for _, k := range p.Conflicts {
		k.AddedAt = k.AddedAt.UTC()
		c.Restrictions.Conflicts = append(c.Restrictions.Conflicts, Conflict(k))
	}
	for _, k := range p.Consents {
		var w *time.Time
		if k.WithdrawnAt != nil {
			t := k.WithdrawnAt.UTC()
			w = &t
		}
		c.Consents = append(c.Consents, Consent{k.ID, k.EmployerID, k.Level, k.Purpose, k.GrantedAt.UTC(), k.ExpiresAt.UTC(), w, users.ID(k.RecordedBy), k.ByCandidate})
	}
	return c
}

func (d identityDoc) apply(c *Candidate) {
	c.Identity = Identity{FirstName: d.FirstName, LastName: d.LastName, BirthDate: d.BirthDate.UTC(),
		Email: d.Email, Phone: d.Phone, Address: d.Address, Postcode: d.Postcode}
}

var errNotFound = apperr.Errorf(apperr.NotFound, "Candidate not found.")

// profile reads the profile part only (no identity).
func (s *Store) profile(ctx context.Context, id ID) (Candidate, error) {
	var d profileDoc
	err := s.profiles.FindOne(ctx, bson.M{"_id": string(id)}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return Candidate{}, errNotFound
	case err != nil:
		return Candidate{}, fmt.Errorf("find candidate %s: %w", id, err)
	}
	return d.toDomain(), nil
}

// withIdentity reads the identity into c.
func (s *Store) withIdentity(ctx context.Context, c *Candidate) error {
	var d identityDoc
	err := s.identities.FindOne(ctx, bson.M{"_id": string(c.ID)}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return errNotFound
	case err != nil:
		return fmt.Errorf("find identity %s: %w", c.ID, err)
	}
	d.apply(c)
	return nil
}

// save writes c whole: on insert both parts, identity first (a crash before
// the profile leaves an identity that the caseload task removes); on update
// the profile, and the identity only when it changed.
func (s *Store) save(ctx context.Context, c Candidate, insert, identityChanged bool) error {
	p, i := toDocs(c)
	if insert {
		if _, err := s.identities.InsertOne(ctx, i); mongo.IsDuplicateKeyError(err) {
			return store.ErrStale // a keyed create that ran before: nothing written
		} else if err != nil {
			return fmt.Errorf("insert identity %s: %w", c.ID, err)
		}
		if _, err := s.profiles.InsertOne(ctx, p); err != nil {
			return fmt.Errorf("insert candidate %s: %w", c.ID, err)
		}
		return nil
	}
	// Conditional on the version read (store.Versions): a write from a
	// stale read — another instance's, or this one's — is ErrStale, never
	// a silent overwrite (a consent withdrawal undone by a profile update).
	// The identity is written under the same claim, after the check.
	return s.replaceProfile(ctx, c, func(ctx context.Context, i identityDoc) error {
		if !identityChanged {
			return nil
		}
		if _, err := s.identities.ReplaceOne(ctx, bson.M{"_id": i.ID}, i); err != nil {
			return fmt.Errorf("save identity %s: %w", c.ID, err)
		}
		return nil
	})
}

// replaceProfile replaces c's profile under the claim on the version read,
// after identity, which writes (or deletes) the identity document.
func (s *Store) replaceProfile(ctx context.Context, c Candidate, identity func(context.Context, identityDoc) error) error {
	p, i := toDocs(c)
	return s.versions.Write(ctx, s.profiles, p.ID, c.Version-1, func(ctx context.Context) error {
		if err := identity(ctx, i); err != nil {
			return err
		}
		res, err := s.profiles.ReplaceOne(ctx, bson.M{"_id": p.ID}, p)
		if err != nil {
			return fmt.Errorf("save candidate %s: %w", c.ID, err)
		}
		if res.MatchedCount == 0 {
			return store.ErrStale
		}
		return nil
	})
}

// A caseload entry is one string field ("status|confirmed|updated|place|name",
// times in Unix milliseconds): FerretDB's cost grows with the number of
// fields in a document (about 20 µs each, measured here), so a caseload of
// 50 entries costs one field each, not six.
func encodeEntry(c Candidate) string {
	ms := func(t time.Time) string {
		if t.IsZero() {
			return "0"
		}
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	clean := func(s string) string { return strings.ReplaceAll(s, "|", "/") }
	return strings.Join([]string{string(c.Status), ms(c.ConfirmedAt), ms(c.UpdatedAt), clean(c.Profile.HomePlace.Name), clean(displayName(c.Identity))}, "|")
}

func decodeEntry(id, s string) Summary {
	parts := strings.SplitN(s, "|", 5)
	for len(parts) < 5 {
		parts = append(parts, "")
	}
	ms := func(s string) time.Time {
		n, _ := strconv.ParseInt(s, 10, 64)
		if n == 0 {
			return time.Time{}
		}
		return time.UnixMilli(n).UTC()
	}
	sum := Summary{ID: ID(id), Status: Status(parts[0]), UpdatedAt: ms(parts[2]), Place: parts[3], DisplayName: parts[4]}
	if t := ms(parts[1]); !t.IsZero() {
		sum.ConfirmedAt = &t
	}
	return sum
}

type caseloadDoc struct {
	WorkerID string            `bson:"_id"`
	Entries  map[string]string `bson:"entries"`
}

// setEntry writes the caseload entry of c from memory.
func (s *Store) setEntry(ctx context.Context, c Candidate) error {
	return s.entries(ctx, c.WorkerID, map[string]string{string(c.ID): encodeEntry(c)}, "")
}

// entries sets (and unsets one of) a caseload's entries, conditionally on
// the version read (store.Versions.Update), so that two instances writing
// entries of one worker's caseload lose neither.
func (s *Store) entries(ctx context.Context, worker users.ID, set map[string]string, unset ID) error {
	unlock := s.locks.Lock("caseload:" + string(worker))
	defer unlock()
	_, err := s.versions.Update(ctx, s.caseloads, string(worker), func(doc bson.M) (bson.M, error) {
		if doc == nil {
			doc = bson.M{}
		}
		entries, _ := doc["entries"].(bson.M)
		if entries == nil {
			entries = bson.M{}
		}
		for k, v := range set {
			entries[k] = v
		}
		if unset != "" {
			delete(entries, string(unset))
		}
		doc["entries"] = entries
		return doc, nil
	})
	if err != nil {
		return fmt.Errorf("caseload %s: %w", worker, err)
	}
	return nil
}

// syncCaseload makes the worker's caseload entry for id match the stored
// candidate: written when it exists, removed (with any orphaned identity)
// when it does not. Idempotent: the outbox re-runs it after a crash.
func (s *Store) syncCaseload(ctx context.Context, worker users.ID, id ID) error {
	c, err := s.profile(ctx, id)
	if err == nil {
		err = s.withIdentity(ctx, &c)
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		if _, err := s.identities.DeleteOne(ctx, bson.M{"_id": string(id)}); err != nil {
			return fmt.Errorf("remove orphan identity: %w", err)
		}
		return s.unsetEntry(ctx, worker, id)
	case err != nil:
		return err
	case c.WorkerID != worker:
		return s.unsetEntry(ctx, worker, id)
	}
	return s.setEntry(ctx, c)
}

func (s *Store) unsetEntry(ctx context.Context, worker users.ID, id ID) error {
	return s.entries(ctx, worker, nil, id)
}

// caseload returns the worker's caseload, most recently updated first.
func (s *Store) caseload(ctx context.Context, worker users.ID) ([]Summary, error) {
	var d caseloadDoc
	err := s.caseloads.FindOne(ctx, bson.M{"_id": string(worker)}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return []Summary{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("caseload %s: %w", worker, err)
	}
	out := make([]Summary, 0, len(d.Entries))
	for id, e := range d.Entries {
		out = append(out, decodeEntry(id, e))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func displayName(id Identity) string {
	r := []rune(id.LastName)
	if len(r) == 0 {
		return id.FirstName
	}
	return id.FirstName + " " + string(r[0]) + "."
}

// insertMany writes many new candidates in bulk: identities, profiles, then
// each worker's caseload entries, and returns the candidates it made. An id
// that exists already (a keyed import's line imported before) is skipped:
// its profile insert is refused as a duplicate; an identity written for an
// erased candidate's tombstone just now is removed again (the tombstone
// keeps no identity). Import records outbox tasks first, so a crash
// part-way heals like a single write.
func (s *Store) insertMany(ctx context.Context, cs []Candidate) ([]Candidate, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	ids := make([]any, len(cs))
	profs := make([]any, len(cs))
	for i, c := range cs {
		p, d := toDocs(c)
		profs[i], ids[i] = p, d
	}
	opts := options.InsertMany().SetOrdered(false)
	hadIdentity, err := duplicates(s.identities.InsertMany(ctx, ids, opts))
	if err != nil {
		return nil, fmt.Errorf("import identities: %w", err)
	}
	hadProfile, err := duplicates(s.profiles.InsertMany(ctx, profs, opts))
	if err != nil {
		return nil, fmt.Errorf("import candidates: %w", err)
	}
	made := cs
	if len(hadProfile) > 0 {
		made = make([]Candidate, 0, len(cs)-len(hadProfile))
		for i, c := range cs {
			switch {
			case !hadProfile[i]:
				made = append(made, c)
			case !hadIdentity[i]:
				// Written now beside a profile that was there: another
				// import of the line at this moment (keep it), or an
				// erased candidate's tombstone (remove it).
				p, err := s.profile(ctx, c.ID)
				if err != nil || p.Erasure == nil {
					continue
				}
				if _, err := s.identities.DeleteOne(ctx, bson.M{"_id": string(c.ID)}); err != nil {
					return nil, fmt.Errorf("import: remove an erased candidate's identity: %w", err)
				}
			}
		}
	}
	byWorker := map[users.ID]map[string]string{}
	for _, c := range made {
		set := byWorker[c.WorkerID]
		if set == nil {
			set = map[string]string{}
			byWorker[c.WorkerID] = set
		}
		set[string(c.ID)] = encodeEntry(c)
	}
	for w, set := range byWorker {
		if err := s.entries(ctx, w, set, ""); err != nil {
			return nil, fmt.Errorf("import caseload %s: %w", w, err)
		}
	}
	return made, nil
}

// duplicates reads an unordered InsertMany's outcome: the positions of the
// documents refused because their _id exists already, and any other error.
func duplicates(_ *mongo.InsertManyResult, err error) (map[int]bool, error) {
	if err == nil {
		return nil, nil
	}
	var bw mongo.BulkWriteException
	if !errors.As(err, &bw) || bw.WriteConcernError != nil || len(bw.WriteErrors) == 0 {
		return nil, err
	}
	dup := make(map[int]bool, len(bw.WriteErrors))
	for _, we := range bw.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return nil, err
		}
		dup[we.Index] = true
	}
	return dup, nil
}

// count estimates the number of candidate profiles from the collection's
// statistics (for progress): collStats answers in about a second at
// 100,000 on FerretDB's SQLite backend, where estimatedDocumentCount reads
// every document (27 s). 0 when the server will not say.
func (s *Store) count(ctx context.Context) (int64, error) {
	var st struct {
		Count int64 `bson:"count"`
	}
	if err := s.profiles.Database().RunCommand(ctx, bson.D{{Key: "collStats", Value: s.profiles.Name()}}).Decode(&st); err != nil {
		return 0, nil // progress without a total
	}
	return st.Count, nil
}

// each scans every candidate profile (for index rebuilds).
func (s *Store) each(ctx context.Context, fn func(Candidate) error) error {
	cur, err := s.profiles.Find(ctx, bson.M{}, options.Find().SetBatchSize(500))
	if err != nil {
		return fmt.Errorf("scan candidates: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d profileDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("scan candidates: %w", err)
		}
		if err := fn(d.toDomain()); err != nil {
			return err
		}
	}
	return cur.Err()
}
