package placements

import (
	"context"
	"fmt"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/users"
)

// SeedForBench lists n open introductions of employer (list entries only,
// as the follow-up writes them), for the list benchmark.
func SeedForBench(ctx context.Context, st *Store, employer string, n int) error {
	now := time.Now().UTC()
	entries := map[string]any{}
	for i := 0; i < n; i++ {
		in := Introduction{ID: fmt.Sprintf("i_bench%06d", i), CandidateID: candidates.ID(fmt.Sprintf("c_bench%06d", i)), VacancyID: employers.VacancyID("v_bench"),
			EmployerID: employers.ID(employer), State: Proposed, UpdatedAt: now.Add(time.Duration(i) * time.Millisecond)}
		entries[in.ID] = introEntry(in)
	}
	_, err := st.lists.InsertOne(ctx, map[string]any{"_id": "intro:employer:" + employer, "entries": entries, "version": int64(1)})
	return err
}

// SeedMentoring stores n active placements of mentor and worker, started
// up to a year before now with the default schedule, the first check-ins
// met and a few escalations open, and writes their lists as the follow-up
// does: the mentor's agenda and the worker's escalation list.
func SeedMentoring(ctx context.Context, st *Store, mentor, worker string, n int, now time.Time) error {
	for i := 0; i < n; i++ {
		start := day(now).AddDate(0, 0, -9*i)
		p := Placement{ID: fmt.Sprintf("p_bench%06d", i), IntroductionID: fmt.Sprintf("i_bench%06d", i), CandidateID: candidates.ID(fmt.Sprintf("c_bench%06d", i)),
			WorkerID: users.ID(worker), EmployerID: "e_bench", VacancyID: "v_bench", MentorID: users.ID(mentor), StartDate: start, Contract: "permanent",
			HoursPerWeek: 32, State: Active, CreatedAt: now, UpdatedAt: now, Version: 1}
		p.Schedule = DefaultTemplate().schedule(start)
		for j := range p.Schedule {
			x := &p.Schedule[j]
			if x.graceEnd().Before(day(now)) {
				if j%7 == 3 {
					x.Status = DueMissed
					p.raise(Escalation{Kind: EscMissed, Due: x.N, Task: "seed"}, now, textMissed)
					continue
				}
				p.CheckInSeq++
				c := CheckIn{N: p.CheckInSeq, Date: x.Date, Mode: "visit", Attended: true, Wellbeing: 4, Work: 4, RiskFlags: []string{}, Actions: []FollowUp{}, Due: x.N, By: mentor, RecordedAt: now}
				p.CheckIns = append(p.CheckIns, c)
				x.Status, x.CheckIn, x.DoneOn = DueOnTime, c.N, c.Date
			}
		}
		if len(p.CheckIns) > keepCheckIns {
			p.CheckIns = p.CheckIns[len(p.CheckIns)-keepCheckIns:]
		}
		if err := st.savePlacement(ctx, p); err != nil {
			return err
		}
		if err := st.listPlacement(ctx, p); err != nil {
			return err
		}
		if err := st.listMentoring(ctx, p, now); err != nil {
			return err
		}
	}
	return nil
}
