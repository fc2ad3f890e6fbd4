package placements

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// A check-in schedule is made with each placement from a template: phases
// of a fixed rhythm ("every 1w until 4w", "every 2w until 3m", …), each
// due date counted from the start date, so that a monthly phase falls on
// the start's day of the month. Dates are calendar days in UTC, as the
// place step's start date is.

// Phase is one rhythm of a template: a check-in every Every until Until,
// both written as a number and a unit, w (weeks) or m (months).
type Phase struct {
	Every string `json:"every" bson:"every"`
	Until string `json:"until" bson:"until"`
}

// Template is a named schedule.
type Template struct {
	Name      string    `json:"name" bson:"_id"`
	GraceDays int       `json:"grace_days" bson:"grace_days"`
	Phases    []Phase   `json:"phases" bson:"phases"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty" bson:"updated_by,omitempty"`
	Version   int64     `json:"version" bson:"version"`
}

// DefaultTemplate is the schedule a placement gets unless a coordinator
// changed it: weekly for the first 4 weeks, every 2 weeks until month 3,
// monthly until month 12; 3 days' grace.
func DefaultTemplate() Template {
	return Template{Name: "default", GraceDays: 3, Phases: []Phase{{"1w", "4w"}, {"2w", "3m"}, {"1m", "12m"}}}
}

// span is a parsed "3w" or "12m".
type span struct {
	n     int
	month bool
}

func parseSpan(s string) (span, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return span{}, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 {
		return span{}, false
	}
	switch s[len(s)-1] {
	case 'w':
		return span{n: n}, n <= 104
	case 'm':
		return span{n: n, month: true}, n <= 24
	}
	return span{}, false
}

// after is start plus k spans.
func (p span) after(start time.Time, k int) time.Time {
	if p.month {
		return start.AddDate(0, p.n*k, 0)
	}
	return start.AddDate(0, 0, 7*p.n*k)
}

// maxDue bounds a schedule (a weekly rhythm for two years is 104).
const maxDue = 120

// validate checks a template and returns its due dates from start.
func (t Template) dates(start time.Time) ([]time.Time, apperr.Fields) {
	var f apperr.Fields
	if t.GraceDays < 0 || t.GraceDays > 14 {
		f.Add("grace_days", "must be between 0 and 14")
	}
	if len(t.Phases) == 0 || len(t.Phases) > 10 {
		f.Add("phases", "must have 1 to 10 entries")
		return nil, f
	}
	var out []time.Time
	last := start
	for i, ph := range t.Phases {
		every, ok1 := parseSpan(ph.Every)
		until, ok2 := parseSpan(ph.Until)
		if !ok1 {
			f.Add(fmt.Sprintf("phases[%d].every", i), "must be a number of weeks or months, such as 2w or 1m (at most 104w or 24m)")
		}
		if !ok2 {
			f.Add(fmt.Sprintf("phases[%d].until", i), "must be a number of weeks or months, such as 2w or 1m (at most 104w or 24m)")
		}
		if !ok1 || !ok2 {
			continue
		}
		end := until.after(start, 1)
		if !end.After(last) {
			f.Add(fmt.Sprintf("phases[%d].until", i), "must be later than the phase before")
			continue
		}
		from := last // each phase begins where the one before ended
		for k := 1; ; k++ {
			d := every.after(start, k)
			if d.After(end) {
				break
			}
			if d.After(from) {
				out = append(out, d)
				last = d
			}
			if len(out) > maxDue {
				f.Addf("phases", "must make at most %d check-ins", maxDue)
				return nil, f
			}
		}
		last = end
	}
	return out, f
}

// schedule makes a placement's due check-ins from t.
func (t Template) schedule(start time.Time) []Due {
	ds, f := t.dates(start)
	if len(f) > 0 {
		ds, _ = DefaultTemplate().dates(start)
		t.GraceDays = DefaultTemplate().GraceDays
	}
	out := make([]Due, len(ds))
	for i, d := range ds {
		out[i] = Due{N: i + 1, Date: d, GraceDays: t.GraceDays, Status: DueOpen}
	}
	return out
}

// Template returns a check-in template (coordinators, probation workers
// and mentors may read them). Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Template(ctx context.Context, name string) (Template, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator, users.ProbationWorker, users.Mentor); err != nil {
		return Template{}, err
	}
	return s.store.template(ctx, name)
}

// TemplateInput is a template's new content.
type TemplateInput struct {
	GraceDays *int    `json:"grace_days"`
	Phases    []Phase `json:"phases"`
}

// SetTemplate replaces a template (coordinators); placements made from now
// on follow it, existing ones keep their schedule. The audit event holds
// the phases before and after.
// Errors: Unauthenticated, Forbidden, Invalid, Conflict (changed at the same moment).
func (s *Service) SetTemplate(ctx context.Context, name string, in TemplateInput) (Template, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return Template{}, err
	}
	var f apperr.Fields
	if name != "default" {
		f.Add("name", "only the default template exists (the template every new placement gets)")
	}
	t := Template{Name: name, Phases: in.Phases}
	if in.GraceDays == nil {
		f.Add("grace_days", "is required")
	} else {
		t.GraceDays = *in.GraceDays
	}
	_, tf := t.dates(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))
	f.Merge("", tf)
	if err := f.Err(); err != nil {
		return Template{}, err
	}
	// The event first: a change the chain does not hold must not happen.
	old, err := s.store.template(ctx, name)
	if err != nil {
		return Template{}, err
	}
	t.UpdatedAt, t.UpdatedBy = s.clock(), string(a.UserID)
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionTemplate, Subject: "template:" + name,
		Details: map[string]string{"before": phasesText(old), "after": phasesText(t)}})
	if err != nil {
		return Template{}, err
	}
	saved, err := store.UpdateAs(ctx, s.store.versions, s.store.templates, name, func(d *Template, _ bool) error {
		v := d.Version
		*d = t
		d.Version = v + 1
		return nil
	})
	if err != nil {
		return Template{}, err
	}
	saved.Name = name
	return saved, nil
}

func phasesText(t Template) string {
	parts := []string{"grace " + strconv.Itoa(t.GraceDays) + "d"}
	for _, p := range t.Phases {
		parts = append(parts, "every "+p.Every+" until "+p.Until)
	}
	return strings.Join(parts, "; ")
}
