package matching

import (
	"encoding/json"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/places"
)

// shown is what the index keeps beside a candidate's searchable fields and
// returns with each hit: the level-0 card an employer sees, and the facts
// the service re-checks before showing it (when it was confirmed, where
// home is). A search answers from it without reading the database
// (decisions.md 46); only matches for a vacancy, whose rules need the
// restrictions the index never holds, read the candidates.
type shown struct {
	Card      candidates.Card `json:"card"`
	Lat       float64         `json:"lat"`
	Lon       float64         `json:"lon"`
	Confirmed time.Time       `json:"confirmed"`
}

// shownOf encodes c's card as of now. The age band is the one bit that
// moves without a write: it is as old as the candidate's last indexing,
// which a confirmation (due every 30 days to stay findable) renews.
func shownOf(c candidates.Candidate, now time.Time) string {
	b, _ := json.Marshal(shown{Card: candidates.CardOf(c, now), Lat: c.Profile.HomePlace.Lat, Lon: c.Profile.HomePlace.Lon, Confirmed: c.ConfirmedAt})
	return string(b)
}

// candidate is the candidate as far as the card tells, for scoring.
func (s shown) candidate() candidates.Candidate {
	k := s.Card
	avail, _ := time.Parse(time.DateOnly, k.AvailableFrom)
	return candidates.Candidate{ID: k.ID, Status: candidates.Available, ConfirmedAt: s.Confirmed, Profile: candidates.Profile{
		Skills: k.Skills, DesiredOccupations: k.DesiredOccupations, Certificates: k.Certificates, Languages: k.Languages,
		HoursPerWeek: k.HoursPerWeek, AvailableFrom: avail, TravelRadiusKm: k.TravelRadiusKm, Motivation: k.Motivation,
		HomePlace: candidates.Place{Name: k.Place, Province: k.Province, Lat: s.Lat, Lon: s.Lon},
	}}
}

// shownHit decodes a hit's card; false when the index holds none (a
// document indexed before cards were kept: read from the database then).
// Cards are remembered by their stored text: a vacancy's matches decode
// the same pool of 200 on every request. A remembered card is shared, read
// only.
func (sv *Service) shownHit(h Hit) (shown, bool) {
	if h.Shown == "" {
		return shown{}, false
	}
	d := sv.cards.Get(h.Shown, func() decodedShown {
		var s shown
		err := json.Unmarshal([]byte(h.Shown), &s)
		return decodedShown{s, err == nil}
	})
	if !d.ok || d.s.Card.ID != candidates.ID(h.ID) {
		return shown{}, false
	}
	return d.s, true
}

type decodedShown struct {
	s  shown
	ok bool
}

// visibleShown is visibleTo for a card from the index: confirmed within
// the last 30 days and the search place within the candidate's own travel
// radius. The conflict list and excluded sectors the engines apply
// themselves (Viewer), with the same rule.
func visibleShown(s shown, at *places.Place, now time.Time) bool {
	if !s.candidate().Confirmed(now) {
		return false
	}
	if at != nil && places.DistanceKm(s.Lat, s.Lon, at.Lat, at.Lon) > float64(s.Card.TravelRadiusKm) {
		return false
	}
	return true
}
