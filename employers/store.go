package employers

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

// Store keeps employers and vacancies. As elsewhere, request paths read by
// _id only: the coordinator's list of employers is one registry document,
// an employer's vacancies one document per employer.
type Store struct {
	access    *store.Epoch // bumped when an employer's standing changes (Service.standing)
	employers *mongo.Collection
	registry  *mongo.Collection
	vacancies *mongo.Collection
	byEmp     *mongo.Collection
	kvk       *store.Keys
	versions  *store.Versions
	locks     store.Locks
}

// NewStore returns the Store over db.
func NewStore(db *mongo.Database) *Store {
	return &Store{
		employers: db.Collection("employers"),
		registry:  db.Collection("employer_registry"),
		vacancies: db.Collection("vacancies"),
		byEmp:     db.Collection("employer_vacancies"),
		kvk:       store.NewKeys(db, "employer_kvk"),
		versions:  store.NewVersions(db),
		access:    store.NewEpoch(db, store.EpochCollection, store.AccessEpoch),
	}
}

// Collections names the collections the Store uses.
func (s *Store) Collections() []string {
	return []string{s.employers.Name(), s.registry.Name(), s.vacancies.Name(), s.byEmp.Name(), s.kvk.Name()}
}

// EnsureIndexes creates the unique KvK index (a second guard behind the KvK
// keys) and the indexes real MongoDB uses for vetting jobs.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	for _, m := range []struct {
		coll *mongo.Collection
		idx  mongo.IndexModel
	}{
		{s.employers, mongo.IndexModel{Keys: bson.D{{Key: "kvk", Value: 1}}, Options: options.Index().SetUnique(true)}},
		{s.employers, mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "valid_until", Value: 1}}}},
		{s.vacancies, mongo.IndexModel{Keys: bson.D{{Key: "employer_id", Value: 1}}}},
	} {
		if _, err := m.coll.Indexes().CreateOne(ctx, m.idx); err != nil {
			return fmt.Errorf("employer indexes: %w", err)
		}
	}
	return nil
}

type placeDoc struct {
	ID       int     `bson:"id"`
	Name     string  `bson:"name"`
	Province string  `bson:"province"`
	Lat      float64 `bson:"lat"`
	Lon      float64 `bson:"lon"`
}

type locationDoc struct {
	Address string   `bson:"address"`
	Place   placeDoc `bson:"place"`
}

type decisionDoc struct {
	Action string    `bson:"action"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason,omitempty"`
}

type concernDoc struct {
	ID     string    `bson:"id"`
	Text   string    `bson:"text"`
	Source string    `bson:"source,omitempty"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

type employerDoc struct {
	ID              string        `bson:"_id"`
	Name            string        `bson:"name"`
	KvK             string        `bson:"kvk"`
	Sectors         []string      `bson:"sectors"`
	Locations       []locationDoc `bson:"locations"`
	ContactName     string        `bson:"contact_name"`
	ContactEmail    string        `bson:"contact_email"`
	ContactPhone    string        `bson:"contact_phone,omitempty"`
	Status          string        `bson:"status"`
	Approvals       []string      `bson:"approvals"`
	Checklist       Checklist     `bson:"checklist"`
	ValidUntil      time.Time     `bson:"valid_until"`
	RenewalNeeded   bool          `bson:"renewal_needed"`
	Decisions       []decisionDoc `bson:"decisions"`
	Concerns        []concernDoc  `bson:"concerns"`
	CodeOfConductAt time.Time     `bson:"code_of_conduct_at"`
	CreatedAt       time.Time     `bson:"created_at"`
	UpdatedAt       time.Time     `bson:"updated_at"`
	Version         int64         `bson:"version"`
	Writes          []string      `bson:"writes,omitempty"` // outbox tasks of the last writes
}

func toEmployerDoc(e Employer) employerDoc {
	d := employerDoc{ID: string(e.ID), Name: e.Name, KvK: e.KvK, Sectors: e.Sectors, ContactName: e.Contact.Name,
		ContactEmail: e.Contact.Email, ContactPhone: e.Contact.Phone, Status: string(e.Status), Approvals: []string{},
		Checklist: e.Checklist, ValidUntil: e.ValidUntil, RenewalNeeded: e.RenewalNeeded, Decisions: []decisionDoc{},
		Concerns: []concernDoc{}, CodeOfConductAt: e.CodeOfConductAt, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version, Writes: e.writes}
	for _, l := range e.Locations {
		d.Locations = append(d.Locations, locationDoc{Address: l.Address, Place: placeDoc(l.Place)})
	}
	for _, a := range e.Approvals {
		d.Approvals = append(d.Approvals, string(a))
	}
	for _, x := range e.Decisions {
		d.Decisions = append(d.Decisions, decisionDoc{x.Action, string(x.By), x.At, x.Reason})
	}
	for _, c := range e.Concerns {
		d.Concerns = append(d.Concerns, concernDoc{c.ID, c.Text, c.Source, string(c.By), c.At})
	}
	return d
}

func (d employerDoc) toDomain() Employer {
	e := Employer{ID: ID(d.ID), Name: d.Name, KvK: d.KvK, Sectors: d.Sectors,
		Contact: Contact{Name: d.ContactName, Email: d.ContactEmail, Phone: d.ContactPhone},
		Status:  Status(d.Status), Checklist: d.Checklist, ValidUntil: d.ValidUntil.UTC(), RenewalNeeded: d.RenewalNeeded,
		CodeOfConductAt: d.CodeOfConductAt.UTC(), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version, writes: d.Writes}
	for _, l := range d.Locations {
		e.Locations = append(e.Locations, Location{Address: l.Address, Place: Place(l.Place)})
	}
	for _, a := range d.Approvals {
		e.Approvals = append(e.Approvals, users.ID(a))
	}
	for _, x := range d.Decisions {
		e.Decisions = append(e.Decisions, Decision{x.Action, users.ID(x.By), x.At.UTC(), x.Reason})
	}
	for _, c := range d.Concerns {
		e.Concerns = append(e.Concerns, Concern{c.ID, c.Text, c.Source, users.ID(c.By), c.At.UTC()})
	}
	return e
}

var errEmployerNotFound = apperr.Errorf(apperr.NotFound, "Employer not found.")

func (s *Store) employer(ctx context.Context, id ID) (Employer, error) {
	var d employerDoc
	err := s.employers.FindOne(ctx, bson.M{"_id": string(id)}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return Employer{}, errEmployerNotFound
	case err != nil:
		return Employer{}, fmt.Errorf("find employer %s: %w", id, err)
	}
	return d.toDomain(), nil
}

func (s *Store) insertEmployer(ctx context.Context, e Employer) error {
	if _, err := s.employers.InsertOne(ctx, toEmployerDoc(e)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return &apperr.Error{Code: apperr.Conflict, Message: "An employer with this KvK number is registered already.", Fields: map[string]string{"kvk": "is registered already"}}
		}
		return fmt.Errorf("insert employer: %w", err)
	}
	return nil
}

// saveEmployer writes e (at its new version) if the stored one is still at
// the version before. Errors: store.ErrStale.
func (s *Store) saveEmployer(ctx context.Context, e Employer) error {
	if err := s.versions.Replace(ctx, s.employers, string(e.ID), e.Version-1, toEmployerDoc(e)); err != nil {
		return fmt.Errorf("save employer %s: %w", e.ID, err)
	}
	return nil
}

func (s *Store) deleteEmployer(ctx context.Context, id ID) error {
	if _, err := s.employers.DeleteOne(ctx, bson.M{"_id": string(id)}); err != nil {
		return fmt.Errorf("delete employer %s: %w", id, err)
	}
	return nil
}

// The registry document lists every employer as one string field
// ("status|valid_until_ms|kvk|name"), for the coordinator's list and the
// expiry job, without scanning the employers collection.
const registryID = "all"

func encodeRegistry(e Employer) string {
	ms := "0"
	if !e.ValidUntil.IsZero() {
		ms = strconv.FormatInt(e.ValidUntil.UnixMilli(), 10)
	}
	return strings.Join([]string{string(e.Status), ms, e.KvK, strings.ReplaceAll(e.Name, "|", "/")}, "|")
}

// Summary is one line of the employer registry.
type Summary struct {
	ID         ID         `json:"id"`
	Name       string     `json:"name"`
	KvK        string     `json:"kvk"`
	Status     Status     `json:"status"`
	ValidUntil *time.Time `json:"valid_until"`
}

func decodeRegistry(id, s string) Summary {
	p := strings.SplitN(s, "|", 4)
	for len(p) < 4 {
		p = append(p, "")
	}
	sum := Summary{ID: ID(id), Status: Status(p[0]), KvK: p[2], Name: p[3]}
	if n, _ := strconv.ParseInt(p[1], 10, 64); n > 0 {
		t := time.UnixMilli(n).UTC()
		sum.ValidUntil = &t
	}
	return sum
}

func (s *Store) register(ctx context.Context, e Employer) error {
	return s.setEntry(ctx, s.registry, registryID, string(e.ID), encodeRegistry(e))
}

// setEntry sets (or with "" removes) one entry of a list document
// (store.SetListEntry: no concurrent writer loses one).
func (s *Store) setEntry(ctx context.Context, coll *mongo.Collection, docID, key, value string) error {
	return store.SetListEntry(ctx, s.versions, &s.locks, coll, docID, key, value)
}

func (s *Store) list(ctx context.Context) ([]Summary, error) {
	var d struct {
		Entries map[string]string `bson:"entries"`
	}
	err := s.registry.FindOne(ctx, bson.M{"_id": registryID}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("employer registry: %w", err)
	}
	out := make([]Summary, 0, len(d.Entries))
	for id, e := range d.Entries {
		out = append(out, decodeRegistry(id, e))
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].ID < out[j].ID)
	})
	return out, nil
}

type shiftDoc struct {
	From string `bson:"from"`
	To   string `bson:"to"`
}

type vacancyDoc struct {
	ID             string     `bson:"_id"`
	EmployerID     string     `bson:"employer_id"`
	Title          string     `bson:"title"`
	Description    string     `bson:"description"`
	RequiredSkills []string   `bson:"required_skills"`
	NiceSkills     []string   `bson:"nice_skills"`
	Place          placeDoc   `bson:"place"`
	Address        string     `bson:"address,omitempty"`
	HoursPerWeek   int        `bson:"hours_per_week"`
	Sector         string     `bson:"sector"`
	Shifts         []shiftDoc `bson:"shifts"`
	StartDate      time.Time  `bson:"start_date"`
	RiskAreas      []string   `bson:"risk_areas"`
	VOGRequired    bool       `bson:"vog_required"`
	Status         string     `bson:"status"`
	CreatedAt      time.Time  `bson:"created_at"`
	UpdatedAt      time.Time  `bson:"updated_at"`
	Version        int64      `bson:"version"`
	Writes         []string   `bson:"writes,omitempty"`
}

func toVacancyDoc(v Vacancy) vacancyDoc {
	d := vacancyDoc{ID: string(v.ID), EmployerID: string(v.EmployerID), Title: v.Title, Description: v.Description,
		RequiredSkills: v.RequiredSkills, NiceSkills: v.NiceSkills, Place: placeDoc(v.Place), Address: v.Address,
		HoursPerWeek: v.HoursPerWeek, Sector: v.Sector, Shifts: []shiftDoc{}, StartDate: v.StartDate, RiskAreas: v.RiskAreas,
		Status: string(v.Status), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Version: v.Version, Writes: v.writes}
	for _, s := range v.Shifts {
		d.Shifts = append(d.Shifts, shiftDoc(s))
	}
	return d
}

func (d vacancyDoc) toDomain() Vacancy {
	v := Vacancy{ID: VacancyID(d.ID), EmployerID: ID(d.EmployerID), Title: d.Title, Description: d.Description,
		RequiredSkills: d.RequiredSkills, NiceSkills: d.NiceSkills, Place: Place(d.Place), Address: d.Address,
		HoursPerWeek: d.HoursPerWeek, Sector: d.Sector, StartDate: d.StartDate.UTC(), RiskAreas: d.RiskAreas,
		Status: VacancyStatus(d.Status), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version, writes: d.Writes}
	for _, s := range d.Shifts {
		v.Shifts = append(v.Shifts, Shift(s))
	}
	return v
}

var errVacancyNotFound = apperr.Errorf(apperr.NotFound, "Vacancy not found.")

func (s *Store) vacancy(ctx context.Context, id VacancyID) (Vacancy, error) {
	var d vacancyDoc
	err := s.vacancies.FindOne(ctx, bson.M{"_id": string(id)}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return Vacancy{}, errVacancyNotFound
	case err != nil:
		return Vacancy{}, fmt.Errorf("find vacancy %s: %w", id, err)
	}
	return d.toDomain(), nil
}

// saveVacancy writes the vacancy: inserted, or replaced if the stored one
// is still at the version before. Its entry in the employer's list follows
// in the write's outbox task (listVacancy). Errors: store.ErrStale.
func (s *Store) saveVacancy(ctx context.Context, v Vacancy, insert bool) error {
	d := toVacancyDoc(v)
	var err error
	if insert {
		_, err = s.vacancies.InsertOne(ctx, d)
	} else {
		err = s.versions.Replace(ctx, s.vacancies, d.ID, v.Version-1, d)
	}
	if err != nil {
		return fmt.Errorf("save vacancy %s: %w", v.ID, err)
	}
	return nil
}

// listVacancy writes v's entry in its employer's vacancy list.
func (s *Store) listVacancy(ctx context.Context, v Vacancy) error {
	entry := strings.Join([]string{string(v.Status), strconv.FormatInt(v.UpdatedAt.UnixMilli(), 10), strings.ReplaceAll(v.Title, "|", "/")}, "|")
	return s.setEntry(ctx, s.byEmp, string(v.EmployerID), string(v.ID), entry)
}

// VacancySummary is one line of an employer's vacancy list.
type VacancySummary struct {
	ID        VacancyID     `json:"id"`
	Title     string        `json:"title"`
	Status    VacancyStatus `json:"status"`
	UpdatedAt time.Time     `json:"updated_at"`
}

func (s *Store) vacanciesOf(ctx context.Context, emp ID) ([]VacancySummary, error) {
	var d struct {
		Entries map[string]string `bson:"entries"`
	}
	err := s.byEmp.FindOne(ctx, bson.M{"_id": string(emp)}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("vacancies of %s: %w", emp, err)
	}
	out := make([]VacancySummary, 0, len(d.Entries))
	for id, e := range d.Entries {
		p := strings.SplitN(e, "|", 3)
		for len(p) < 3 {
			p = append(p, "")
		}
		ms, _ := strconv.ParseInt(p[1], 10, 64)
		out = append(out, VacancySummary{ID: VacancyID(id), Status: VacancyStatus(p[0]), UpdatedAt: time.UnixMilli(ms).UTC(), Title: p[2]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, nil
}

func (s *Store) eachVacancy(ctx context.Context, fn func(Vacancy) error) error {
	cur, err := s.vacancies.Find(ctx, bson.M{}, options.Find().SetBatchSize(500))
	if err != nil {
		return fmt.Errorf("scan vacancies: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d vacancyDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("scan vacancies: %w", err)
		}
		if err := fn(d.toDomain()); err != nil {
			return err
		}
	}
	return cur.Err()
}
