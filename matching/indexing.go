package matching

import (
	"context"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
)

// IndexCandidate brings a candidate's index document in line with the
// database: indexed while available (confirmation is filtered at query
// time), removed otherwise. Idempotent, for the outbox.
func (s *Service) IndexCandidate(ctx context.Context, id candidates.ID) error {
	c, err := s.candidates.Load(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return s.index.DeleteCandidates(ctx, string(id))
	}
	if err != nil {
		return err
	}
	if !c.Indexed() {
		return s.index.DeleteCandidates(ctx, string(id))
	}
	return s.index.UpsertCandidates(ctx, []CandidateDoc{CandidateDocOf(s.tax, s.tokens, c)})
}

// IndexCandidates indexes candidates in hand (bulk imports): the available
// ones upserted in one batch, the others removed in another.
func (s *Service) IndexCandidates(ctx context.Context, cs []candidates.Candidate) error {
	docs := make([]CandidateDoc, 0, len(cs))
	var gone []string
	for _, c := range cs {
		if c.Indexed() {
			docs = append(docs, CandidateDocOf(s.tax, s.tokens, c))
		} else {
			gone = append(gone, string(c.ID))
		}
	}
	if err := s.index.DeleteCandidates(ctx, gone...); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	return s.index.UpsertCandidates(ctx, docs)
}

// IndexVacancy brings a vacancy's index document in line: indexed while
// open and its employer active, removed otherwise. Idempotent.
func (s *Service) IndexVacancy(ctx context.Context, id employers.VacancyID) error {
	v, e, err := s.employers.LoadVacancy(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return s.index.DeleteVacancy(ctx, string(id))
	}
	if err != nil {
		return err
	}
	if v.Status != employers.Open || !e.Active(s.now()) {
		return s.index.DeleteVacancy(ctx, string(id))
	}
	return s.index.UpsertVacancies(ctx, []VacancyDoc{VacancyDocOf(s.tax, v)})
}

// Reindex rebuilds the index from the database, reporting progress.
func (s *Service) Reindex(ctx context.Context, progress func(Progress)) error {
	if err := s.index.Clear(ctx); err != nil {
		return err
	}
	now := s.now()
	total, err := s.candidates.Count(ctx)
	if err != nil {
		return err
	}
	p := Progress{Kind: "candidates", Total: int(total)}
	batch := make([]CandidateDoc, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.index.UpsertCandidates(ctx, batch)
		p.Indexed += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(p)
		}
		return err
	}
	err = s.candidates.Each(ctx, func(c candidates.Candidate) error {
		p.Read++
		if !c.Indexed() {
			return nil
		}
		batch = append(batch, CandidateDocOf(s.tax, s.tokens, c))
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	var vs []VacancyDoc
	read := 0
	err = s.employers.EachVacancy(ctx, func(v employers.Vacancy, e employers.Employer) error {
		read++
		if v.Status == employers.Open && e.Active(now) {
			vs = append(vs, VacancyDocOf(s.tax, v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(vs) > 0 {
		if err := s.index.UpsertVacancies(ctx, vs); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(Progress{Kind: "vacancies", Read: read, Total: read, Indexed: len(vs), Done: true})
	}
	return s.Compact(ctx)
}

// Progress is how far a rebuild is: of one kind, Read of about Total
// records read (Total is an estimate), Indexed of them searchable.
type Progress struct {
	Kind                 string
	Read, Total, Indexed int
	Done                 bool // the last report
}

// Compact merges the index's storage after a bulk load, where the engine
// can (Bleve); queries run markedly faster over one segment.
func (s *Service) Compact(ctx context.Context) error {
	if c, ok := s.index.(Compacter); ok {
		return c.Compact(ctx)
	}
	return nil
}

// Purge rewrites the index's files without its deleted documents, where
// the engine can (Bleve: a merge of every segment that holds one;
// Meilisearch: an index compaction); after an erasure.
func (s *Service) Purge(ctx context.Context) error {
	if p, ok := s.index.(Purger); ok {
		return p.Purge(ctx)
	}
	return nil
}
