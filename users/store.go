package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/store"
)

// Store keeps users, their e-mail keys, tokens, role counts and throttle
// counters. Every read on a request path is an _id lookup.
type Store struct {
	users      *mongo.Collection
	tokens     *mongo.Collection
	links      *mongo.Collection // one-time links (invitations, resets), by the token's hash
	counts     *mongo.Collection
	throttle   *store.Throttle
	slots      *store.Slots // failed-login slots per account, used TOTP steps
	emails     *store.Keys
	candidates *store.Keys // a candidate's own account: one per candidate
	versions   *store.Versions
	access     *store.Epoch // bumped when a token is revoked (Service.tokens)
	locks      store.Locks
}

// NewStore returns the Store over db.
func NewStore(db *mongo.Database) *Store {
	return &Store{
		users:      db.Collection("users"),
		tokens:     db.Collection("tokens"),
		links:      db.Collection("user_links"),
		counts:     db.Collection("user_counts"),
		throttle:   store.NewThrottle(db, "login_throttle"),
		slots:      store.NewSlots(db, "login_slots"),
		emails:     store.NewKeys(db, "user_emails"),
		candidates: store.NewKeys(db, "user_candidates"),
		versions:   store.NewVersions(db),
		access:     store.NewEpoch(db, store.EpochCollection, store.AccessEpoch),
	}
}

// Collections names the collections the Store uses.
func (s *Store) Collections() []string {
	return []string{s.users.Name(), s.tokens.Name(), s.links.Name(), s.counts.Name(), s.throttle.Name(), s.slots.Name(), s.emails.Name(), s.candidates.Name(), store.EpochCollection}
}

// EnsureIndexes creates the unique e-mail index (a second guard behind the
// e-mail keys) and the token expiry index real MongoDB prunes with.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if _, err := s.users.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)}); err != nil {
		return fmt.Errorf("users indexes: %w", err)
	}
	if _, err := s.tokens.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "expires_at", Value: 1}}}); err != nil {
		return fmt.Errorf("tokens indexes: %w", err)
	}
	return nil
}

type userDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Name         string    `bson:"name,omitempty"`
	Role         string    `bson:"role"`
	EmployerID   string    `bson:"employer_id,omitempty"`
	CandidateID  string    `bson:"candidate_id,omitempty"`
	PartnerID    string    `bson:"partner_id,omitempty"`
	Admin        bool      `bson:"admin,omitempty"`
	PasswordHash string    `bson:"password_hash"`
	TOTPSecret   string    `bson:"totp_secret,omitempty"`
	TOTPPending  string    `bson:"totp_pending,omitempty"`
	TOTPEnabled  bool      `bson:"totp_enabled"`
	TOTPLastStep int64     `bson:"totp_last_step,omitempty"`
	CreatedAt    time.Time `bson:"created_at"`
	Disabled     bool      `bson:"disabled"`
	Lang         string    `bson:"lang,omitempty"` // the pages' language the user chose ("" until they choose)
	InvitedAt    time.Time `bson:"invited_at,omitempty"`
	Version      int64     `bson:"version,omitempty"`
	Writes       []string  `bson:"writes,omitempty"` // outbox tasks of the last audited writes
}

func (d userDoc) toDomain() User {
	return User{ID: ID(d.ID), Email: d.Email, Name: d.Name, Role: Role(d.Role), EmployerID: d.EmployerID, CandidateID: d.CandidateID, PartnerID: d.PartnerID, Admin: d.Admin,
		TOTPEnabled: d.TOTPEnabled, CreatedAt: d.CreatedAt.UTC(), Disabled: d.Disabled, Lang: d.Lang, Invited: d.PasswordHash == ""}
}

// insert writes a new user and its e-mail key. The user goes first: a crash
// before the key leaves a user that login finds by scan and repairs.
func (s *Store) insert(ctx context.Context, d userDoc) error {
	if _, err := s.users.InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return apperr.Wrap(err, apperr.Conflict, "A user with this e-mail address exists already.")
		}
		return fmt.Errorf("insert user: %w", err)
	}
	err := s.emails.Claim(ctx, d.Email, d.ID)
	if errors.Is(err, store.ErrKeyTaken) {
		// The key is left from a user that no longer exists (the unique
		// index above would have refused a live one): take it over.
		err = s.emails.Move(ctx, d.Email, d.ID)
	}
	if err != nil {
		return err
	}
	unlock := s.locks.Lock("count:" + d.Role)
	defer unlock()
	_, err = s.versions.Update(ctx, s.counts, d.Role, func(doc bson.M) (bson.M, error) {
		if doc == nil {
			doc = bson.M{}
		}
		doc["n"] = store.VersionOf(bson.M{"version": doc["n"]}) + 1
		return doc, nil
	})
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	return nil
}

func (s *Store) delete(ctx context.Context, d userDoc) error {
	if _, err := s.users.DeleteOne(ctx, bson.M{"_id": d.ID}); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return s.emails.Release(ctx, d.Email, d.ID)
}

func (s *Store) byID(ctx context.Context, id ID) (userDoc, error) {
	var d userDoc
	err := s.users.FindOne(ctx, bson.M{"_id": string(id)}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return userDoc{}, apperr.Errorf(apperr.NotFound, "User not found.")
	case err != nil:
		return userDoc{}, fmt.Errorf("find user %s: %w", id, err)
	}
	return d, nil
}

// byEmail finds a user by normalised e-mail through its key; when the key is
// missing (a crash during insert) it falls back to a scan and repairs it.
func (s *Store) byEmail(ctx context.Context, email string) (userDoc, error) {
	owner, err := s.emails.Owner(ctx, email)
	if err != nil {
		return userDoc{}, err
	}
	if owner != "" {
		d, err := s.byID(ctx, ID(owner))
		if err == nil && d.Email == email {
			return d, nil
		}
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return userDoc{}, err
		}
	}
	var d userDoc
	err = s.users.FindOne(ctx, bson.M{"email": email}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return userDoc{}, apperr.Errorf(apperr.NotFound, "User not found.")
	case err != nil:
		return userDoc{}, fmt.Errorf("find user by email: %w", err)
	}
	if err := s.emails.Move(ctx, email, d.ID); err != nil {
		return userDoc{}, err
	}
	return d, nil
}

// set changes fields of a user conditionally on the version read, adding
// task (when not empty) to its writes.
func (s *Store) set(ctx context.Context, id ID, fields bson.M, task string) error {
	found := true
	_, err := s.versions.Update(ctx, s.users, string(id), func(doc bson.M) (bson.M, error) {
		if doc == nil {
			found = false
			return nil, apperr.Errorf(apperr.NotFound, "User not found.")
		}
		for k, v := range fields {
			doc[k] = v
		}
		if task != "" {
			ws, _ := doc["writes"].(bson.A)
			ws = append(ws, task)
			if len(ws) > 8 {
				ws = ws[len(ws)-8:]
			}
			doc["writes"] = ws
		}
		return doc, nil
	})
	if !found {
		return err
	}
	if err != nil {
		return fmt.Errorf("update user %s: %w", id, err)
	}
	return nil
}

func (s *Store) count(ctx context.Context, role Role) (int64, error) {
	var d struct {
		N int64 `bson:"n"`
	}
	err := s.counts.FindOne(ctx, bson.M{"_id": string(role)}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return d.N, nil
}

// Token kinds.
const (
	kindAPI     = "api"
	kindSession = "session"
)

type tokenDoc struct {
	Hash      string    `bson:"_id"` // SHA-256 of the token: the token itself is never stored
	UserID    string    `bson:"user_id"`
	Role      string    `bson:"role"` // copied at issue: a request needs one read, not two
	Employer  string    `bson:"employer_id,omitempty"`
	Candidate string    `bson:"candidate_id,omitempty"`
	Partner   string    `bson:"partner_id,omitempty"`
	Admin     bool      `bson:"admin,omitempty"`
	Kind      string    `bson:"kind"`
	CSRF      string    `bson:"csrf,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func (s *Store) insertToken(ctx context.Context, d tokenDoc) error {
	if _, err := s.tokens.InsertOne(ctx, d); err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

func (s *Store) token(ctx context.Context, hash string) (tokenDoc, error) {
	var d tokenDoc
	err := s.tokens.FindOne(ctx, bson.M{"_id": hash}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return tokenDoc{}, apperr.Errorf(apperr.Unauthenticated, "Sign in again.")
	case err != nil:
		return tokenDoc{}, fmt.Errorf("find token: %w", err)
	}
	return d, nil
}

func (s *Store) deleteTokensOf(ctx context.Context, user ID) (int64, error) {
	res, err := s.tokens.DeleteMany(ctx, bson.M{"user_id": string(user)})
	if err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	if _, err := s.links.DeleteMany(ctx, bson.M{"user_id": string(user)}); err != nil {
		return 0, fmt.Errorf("revoke links: %w", err)
	}
	return res.DeletedCount, nil
}

func (s *Store) deleteToken(ctx context.Context, hash string) error {
	if _, err := s.tokens.DeleteOne(ctx, bson.M{"_id": hash}); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}

// pruneTokens deletes expired tokens. It scans, so it runs as a periodic job,
// never on a request.
func (s *Store) pruneTokens(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.tokens.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lt": now}})
	if err != nil {
		return 0, fmt.Errorf("prune tokens: %w", err)
	}
	if _, err := s.links.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lt": now}}); err != nil {
		return 0, fmt.Errorf("prune links: %w", err)
	}
	return res.DeletedCount, nil
}
