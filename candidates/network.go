package candidates

import (
	"context"
	"strconv"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/users"
)

// Network is what an exit trajectory's network means for matching: the
// firms (KvK numbers) the candidate is never matched with or shown to,
// the places whose surroundings they are kept out of, and the destination
// their search looks in. It is set by the exits service only; the names,
// relations and sources stay there, on the worker's side.
type Network struct {
	KvKs        []string
	EmployerIDs []string // employers based within a network place: kept apart as the firms are
	Places      []AreaBan
	Destination *Place // nil: the home place stays as it is
	RadiusKm    int    // the travel radius around the destination
}

// networkBans returns the bans derived from a network.
func networkBans(bs []AreaBan) []AreaBan {
	var out []AreaBan
	for _, b := range bs {
		if b.Network {
			out = append(out, b)
		}
	}
	return out
}

// SetNetwork replaces the candidate's network-derived conflict-list entries
// and area bans with n's, and moves their search to n's destination (the
// card then shows the destination, never the origin). Idempotent: the
// exits service's follow-up runs it after every trajectory write. The
// audit event names counts only: the network never leaves the worker's
// side.
// Errors: NotFound; the write's.
func (s *Service) SetNetwork(ctx context.Context, id ID, n Network) error {
	if !ids.Valid(string(id), "c_") {
		return errNotFound
	}
	sys := users.Actor{UserID: "system", Role: "system"}
	_, err := s.changeWith(ctx, id, 0, func(ctx context.Context) (users.Actor, Candidate, error) {
		c, err := s.store.profile(ctx, id)
		if err == nil && c.Status == Erased {
			err = errNotFound
		}
		if err == nil {
			err = s.store.withIdentity(ctx, &c)
		}
		return sys, c, err
	}, func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		var conflicts []Conflict
		old := map[string]Conflict{} // by "kvk:…" or "employer:…"
		for _, k := range c.Restrictions.Conflicts {
			if k.Network {
				old["kvk:"+k.KvK+"|employer:"+k.EmployerID] = k
				continue
			}
			conflicts = append(conflicts, k)
		}
		changed := false
		keep := func(key string, add Conflict) {
			if k, ok := old[key]; ok {
				conflicts = append(conflicts, k)
				delete(old, key)
				return
			}
			conflicts = append(conflicts, add)
			changed = true
		}
		for _, kvk := range n.KvKs {
			keep("kvk:"+kvk+"|employer:", Conflict{ID: ids.New("x_"), KvK: kvk, Reason: "network", AddedAt: now, Network: true})
		}
		for _, e := range n.EmployerIDs {
			keep("kvk:|employer:"+e, Conflict{ID: ids.New("x_"), EmployerID: e, Reason: "network place", AddedAt: now, Network: true})
		}
		changed = changed || len(old) > 0
		var bans []AreaBan
		prev := networkBans(c.Restrictions.AreaBans)
		for _, b := range c.Restrictions.AreaBans {
			if !b.Network {
				bans = append(bans, b)
			}
		}
		for _, b := range n.Places {
			b.Network = true
			bans = append(bans, b)
		}
		if len(prev) != len(n.Places) {
			changed = true
		} else {
			for i := range prev {
				if prev[i] != (AreaBan{PlaceName: n.Places[i].PlaceName, Lat: n.Places[i].Lat, Lon: n.Places[i].Lon, RadiusKm: n.Places[i].RadiusKm, Network: true}) {
					changed = true
				}
			}
		}
		if d := n.Destination; d != nil && (c.Profile.HomePlace != *d || c.Profile.TravelRadiusKm != n.RadiusKm) {
			c.Profile.HomePlace, c.Profile.TravelRadiusKm = *d, n.RadiusKm
			changed = true
		}
		if !changed {
			return audit.Entry{}, false, errNoChange
		}
		c.Restrictions.Conflicts, c.Restrictions.AreaBans = conflicts, bans
		return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "network_sync",
			"firms": strconv.Itoa(len(n.KvKs)), "employers_near": strconv.Itoa(len(n.EmployerIDs)), "places": strconv.Itoa(len(n.Places)), "relocated": strconv.FormatBool(n.Destination != nil)}}, false, nil
	})
	if err == errNoChange {
		return nil
	}
	return err
}

// errNoChange stops a write that would change nothing.
var errNoChange = apperr.Errorf(apperr.Conflict, "Nothing to change.")

// Transfer moves a candidate to another probation worker's caseload (the
// exits service, once the receiving worker accepted the handover): the old
// worker loses access at once, the new one has it.
// Errors: NotFound; the write's.
func (s *Service) Transfer(ctx context.Context, id ID, from, to users.ID) error {
	sys := users.Actor{UserID: "system", Role: "system"}
	_, err := s.changeWith(ctx, id, 0, func(ctx context.Context) (users.Actor, Candidate, error) {
		c, err := s.store.profile(ctx, id)
		if err == nil && (c.Status == Erased || (c.WorkerID != from && c.WorkerID != to)) {
			err = errNotFound
		}
		if err == nil {
			err = s.store.withIdentity(ctx, &c)
		}
		return sys, c, err
	}, func(_ users.Actor, c *Candidate, _ time.Time) (audit.Entry, bool, error) {
		if c.WorkerID == to {
			return audit.Entry{}, false, errNoChange
		}
		c.WorkerID = to
		return audit.Entry{Action: audit.ActionCandidateWrite, Details: map[string]string{"op": "transfer", "from": string(from), "to": string(to)}}, false, nil
	})
	if err == errNoChange {
		return nil
	}
	if err != nil {
		return err
	}
	// The old worker's caseload entry goes (the write's follow-up wrote the
	// new one); the drain's follow-up would find it too.
	return s.store.syncCaseload(ctx, from, id)
}

// DisplayNameOf is a candidate's first name and last initial, for a
// receiving worker's handover list (the exits service has checked that
// the case is offered to them, and audits the read).
// Errors: NotFound.
func (s *Service) DisplayNameOf(ctx context.Context, id ID) (string, error) {
	if !ids.Valid(string(id), "c_") {
		return "", errNotFound
	}
	c, err := s.store.profile(ctx, id)
	if err == nil && c.Status == Erased {
		err = errNotFound
	}
	if err == nil {
		err = s.store.withIdentity(ctx, &c)
	}
	if err != nil {
		return "", err
	}
	return displayName(c.Identity), nil
}
