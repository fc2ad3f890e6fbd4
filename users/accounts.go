package users

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
)

// Audit actions of account administration (subject: the user).
const (
	ActionUserDisable = "user.disable"
	ActionUserEnable  = "user.enable"
	ActionUserReset   = "user.password_reset"
)

// maxListed bounds one account listing: the platform's own staff (workers,
// mentors, coordinators) are hundreds, not more.
const maxListed = 2000

// List returns the platform's accounts of roles (all but employers' when
// none are named), active ones first, by name; for coordinators, who
// create and deactivate them, and for probation workers picking a mentor
// or the colleague a case is handed to (List(ctx, Mentor) or
// List(ctx, ProbationWorker) only). Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context, roles ...Role) ([]User, error) {
	a, err := RequireRole(ctx, Coordinator, ProbationWorker)
	if err != nil {
		return nil, err
	}
	if a.Is(ProbationWorker) && (len(roles) != 1 || (roles[0] != Mentor && roles[0] != ProbationWorker)) {
		return nil, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
	}
	if len(roles) == 0 {
		roles = []Role{ProbationWorker, Mentor, Coordinator}
	}
	return s.accountsOf(ctx, roles, nil)
}

// Accounts lists accounts for coordinators: of role (all roles when
// empty), of the employer organisation when employer is set; active ones
// first, by name.
// Errors: Unauthenticated, Forbidden, Invalid (role, employer_id).
func (s *Service) Accounts(ctx context.Context, role Role, employer string) ([]User, error) {
	if _, err := RequireRole(ctx, Coordinator); err != nil {
		return nil, err
	}
	var f apperr.Fields
	if role != "" && !role.Valid() {
		f.Add("role", "must be one of coordinator, probation_worker, employer, mentor, candidate, partner")
	}
	if employer != "" && (len(employer) > 64 || role != "" && role != Employer) {
		f.Add("employer_id", "names an employer organisation, whose accounts have role employer")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	roles := Roles
	if role != "" {
		roles = []Role{role}
	}
	if employer != "" {
		roles = []Role{Employer}
	}
	return s.accountsOf(ctx, roles, func(d userDoc) bool { return employer == "" || d.EmployerID == employer })
}

// accountsOf reads the accounts of roles that keep (nil: all) accepts,
// active ones first, by name.
func (s *Service) accountsOf(ctx context.Context, roles []Role, keep func(userDoc) bool) ([]User, error) {
	rs := make([]string, len(roles))
	for i, r := range roles {
		rs[i] = string(r)
	}
	docs, err := s.store.byRoles(ctx, rs, maxListed)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(docs))
	for _, d := range docs {
		if keep == nil || keep(d) {
			out = append(out, d.toDomain())
		}
	}
	sortAccounts(out)
	return out, nil
}

func sortAccounts(out []User) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Disabled != out[j].Disabled {
			return !out[i].Disabled
		}
		a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name)
		if a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
}

// Active lists the active accounts of role, for the reminders job; never
// for a request.
func (s *Service) Active(ctx context.Context, role Role) ([]User, error) {
	return s.accountsOf(ctx, []Role{role}, func(d userDoc) bool { return !d.Disabled && d.PasswordHash != "" })
}

// Names returns the display names of ids (an id that names no account is
// left out); for pages that show who approved or who reads, to the roles
// that may know those colleagues anyway. It is not an actor's read of
// identity data: the accounts are staff and employer users.
func (s *Service) Names(ctx context.Context, ids ...ID) (map[ID]string, error) {
	out := map[ID]string{}
	seen := map[ID]bool{}
	for _, id := range ids {
		if seen[id] || id == "" || id == "system" {
			continue
		}
		seen[id] = true
		u, err := s.Load(ctx, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = u.Name
		if u.Name == "" {
			out[id] = u.Email
		}
	}
	return out, nil
}

// SetDisabled deactivates an account (disabled: its sessions and tokens
// end at once and it cannot sign in) or activates it again. A coordinator
// cannot deactivate themself, so the platform keeps one who can undo it.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid.
func (s *Service) SetDisabled(ctx context.Context, id ID, disabled bool) (User, error) {
	action, self := ActionUserEnable, ""
	if disabled {
		action, self = ActionUserDisable, "you cannot deactivate your own account"
	}
	u, err := s.administer(ctx, id, action, self, map[string]any{"disabled": disabled}, disabled)
	u.Disabled = disabled
	return u, err
}

// administer is a coordinator's change of another account: the fields set
// with an audit event of action, and its sessions ended when revoke is
// set. selfRefusal, when set, is why the coordinator may not do it to
// their own account.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (id: their own).
func (s *Service) administer(ctx context.Context, id ID, action, selfRefusal string, fields map[string]any, revoke bool) (User, error) {
	a, err := RequireRole(ctx, Coordinator)
	if err != nil {
		return User{}, err
	}
	u, err := s.Load(ctx, id)
	if err != nil {
		return User{}, err
	}
	if selfRefusal != "" && u.ID == a.UserID {
		return User{}, apperr.InvalidField("id", selfRefusal)
	}
	ev := audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: action, Details: map[string]string{"role": string(u.Role)}}
	if err := s.set(ctx, id, fields, ev); err != nil {
		return User{}, err
	}
	if revoke {
		if _, err := s.RevokeAll(ctx, id); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// ResetPassword gives an account a new random password, shown once to
// the coordinator who hands it over, and ends the account's sessions; the
// person chooses their own after signing in.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) ResetPassword(ctx context.Context, id ID) (string, error) {
	a, err := RequireRole(ctx, Coordinator)
	if err != nil {
		return "", err
	}
	u, err := s.Load(ctx, id)
	if err != nil {
		return "", err
	}
	pw, err := temporaryPassword()
	if err != nil {
		return "", err
	}
	ev := audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionUserReset, Details: map[string]string{"role": string(u.Role)}}
	if err := s.set(ctx, id, map[string]any{"password_hash": hashPassword(pw)}, ev); err != nil {
		return "", err
	}
	if _, err := s.RevokeAll(ctx, id); err != nil {
		return "", err
	}
	return pw, nil
}

// temporaryPassword is 16 characters from an alphabet without look-alikes
// (no 0/O, 1/l/I), in groups of four to read out.
func temporaryPassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for i := 0; i < 16; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("temporary password: %w", err)
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String(), nil
}

// byRoles reads up to limit accounts of roles.
func (s *Store) byRoles(ctx context.Context, roles []string, limit int64) ([]userDoc, error) {
	cur, err := s.users.Find(ctx, bson.M{"role": bson.M{"$in": roles}}, options.Find().SetLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []userDoc
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// OfPartner lists the active accounts of a partner organisation, for the
// notices of its circles; never for a request.
func (s *Service) OfPartner(ctx context.Context, partner string) ([]User, error) {
	return s.accountsOf(ctx, []Role{Partner}, func(d userDoc) bool { return d.PartnerID == partner && !d.Disabled })
}
