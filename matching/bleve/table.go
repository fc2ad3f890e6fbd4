package bleve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/herstart/herstart/matching"
)

// The candidate table is a column cache beside the candidates index, like
// Lucene's field cache: per immutable Bleve segment, one decoded row per
// document, read once from the segment's stored "card" field. Bleve finds
// and scores (skill terms, fuzzy words); the rows decide the filters that
// are cheap in Go and slow as index queries (exact distance with each
// candidate's travel radius, dates, hours, certificates) and give the facet
// counts, which Bleve would compute by decompressing doc values for every
// match. See docs/decisions.md ("Candidate table beside the Bleve index").

// fieldCard is the stored-only field a row is decoded from.
const fieldCard = "card"

// fieldShown holds matching.CandidateDoc.Shown, stored only: returned with
// hits, never searched.
const fieldShown = "shown"

// row is one candidate as the filters and facets need it. The fields
// every walked row is filtered by come first, in 64 bytes: the filter
// reads one cache line of a row it throws out (the table is far larger
// than the caches, and a search walks thousands of rows at random
// strides), and the row is padded to three whole lines so that the first
// one is never split.
type row struct {
	missing, invalid bool
	province         uint16
	travel           int32
	hours            int32
	availDay         int32
	confDay          int32
	lat, lon         float64
	conflicts        []uint64 // tokens of the employers the candidate is hidden from
	// -- 64 bytes
	excluded      []uint64 // tokens of the sectors the candidate excludes
	certs, skills []uint16 // interned codes
	id            string
	tie           string // the name the collector sorts equal scores by (see tieKey)
	_             [24]byte
}

// tieKey orders candidates of equal score by what means something to an
// employer: available sooner (everyone available on the day the segment was
// read counts as that day), then confirmed more recently, then by id; so
// the same data gives the same page however often it is reloaded. It
// starts with \x01, which no id does (untie strips it).
func tieKey(r *row, today int32) string {
	avail := max(r.availDay, today)
	conf := max(0, 999999-r.confDay)
	return fmt.Sprintf("\x01%06d%06d%s", min(avail, 999999), min(conf, 999999), r.id)
}

// untie returns the id a hit was named by.
func untie(id string) string {
	if len(id) > 13 && id[0] == '\x01' {
		return id[13:]
	}
	return id
}

// encodeCard writes the row fields of d into the stored card field's value.
func encodeCard(d matching.CandidateDoc) string {
	var b strings.Builder
	b.WriteString(strconv.FormatFloat(d.Lat, 'f', -1, 64))
	b.WriteByte('|')
	b.WriteString(strconv.FormatFloat(d.Lon, 'f', -1, 64))
	for _, n := range []int{d.TravelRadiusKm, d.HoursPerWeek, int(day(d.AvailableFrom)), int(day(d.ConfirmedAt))} {
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(n))
	}
	b.WriteByte('|')
	b.WriteString(d.Province)
	b.WriteByte('|')
	b.WriteString(strings.Join(d.Skills, ","))
	b.WriteByte('|')
	b.WriteString(strings.Join(d.Certificates, ","))
	b.WriteByte('|')
	b.WriteString(strings.Join(d.ConflictTokens, ","))
	b.WriteByte('|')
	b.WriteString(strings.Join(d.ExcludedTokens, ","))
	return b.String()
}

// tokens parses comma-separated hex tokens (matching.Tokens.Of); an
// unreadable token reads as 0, which no real token is likely to be.
func tokens(csv string) ([]uint64, error) {
	if csv == "" {
		return nil, nil
	}
	parts := strings.Split(csv, ",")
	out := make([]uint64, len(parts))
	var err error
	for i, p := range parts {
		var e error
		out[i], e = strconv.ParseUint(p, 16, 64)
		err = errors.Join(err, e)
	}
	return out, err
}

// decodeCard is encodeCard's inverse; names interns the codes.
func decodeCard(s string, names *interner, r *row) error {
	parts := strings.Split(s, "|")
	if len(parts) != 11 {
		return fmt.Errorf("card has %d parts", len(parts))
	}
	var err error
	num := func(s string) int32 {
		n, e := strconv.Atoi(s)
		err = errors.Join(err, e)
		return int32(n)
	}
	r.lat, err = strconv.ParseFloat(parts[0], 64)
	lon, e := strconv.ParseFloat(parts[1], 64)
	r.lon, err = lon, errors.Join(err, e)
	r.travel, r.hours, r.availDay, r.confDay = num(parts[2]), num(parts[3]), num(parts[4]), num(parts[5])
	r.province = names.id(parts[6])
	r.skills = names.list(parts[7])
	r.certs = names.list(parts[8])
	var e1, e2 error
	r.conflicts, e1 = tokens(parts[9])
	r.excluded, e2 = tokens(parts[10])
	return errors.Join(err, e1, e2)
}

// interner numbers the codes the rows hold (skills, certificates,
// provinces), so rows hold small integers and facets count in slices.
type interner struct {
	mu    sync.RWMutex
	ids   map[string]uint16
	names []string
}

func newInterner() *interner {
	return &interner{ids: map[string]uint16{"": 0}, names: []string{""}}
}

func (n *interner) id(s string) uint16 {
	n.mu.RLock()
	id, ok := n.ids[s]
	n.mu.RUnlock()
	if ok {
		return id
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if id, ok := n.ids[s]; ok {
		return id
	}
	if len(n.names) == 1<<16 {
		return 0 // full: the code reads as absent
	}
	id = uint16(len(n.names))
	n.ids[s] = id
	n.names = append(n.names, s)
	return id
}

func (n *interner) list(csv string) []uint16 {
	if csv == "" {
		return nil
	}
	parts := strings.Split(csv, ",")
	out := make([]uint16, len(parts))
	for i, p := range parts {
		out[i] = n.id(p)
	}
	return out
}

// lookup returns the id of s without adding it; ok is false for a code no
// row holds.
func (n *interner) lookup(s string) (uint16, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	id, ok := n.ids[s]
	return id, ok
}

func (n *interner) size() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.names)
}

func (n *interner) name(id uint16) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.names[id]
}

// segTable holds the rows of one immutable segment, built once.
type segTable struct {
	once sync.Once
	rows []row
	err  error
}

type segKey struct{ id, count uint64 }

// table caches the rows of the segments of one candidates index.
type table struct {
	names *interner
	mu    sync.Mutex
	segs  map[segKey]*segTable
}

func newTable() *table {
	return &table{names: newInterner(), segs: map[segKey]*segTable{}}
}

// view is the rows of one index snapshot: global document number to row.
type view struct {
	offsets []uint64
	tables  []*segTable
}

func (v *view) row(global uint64) *row {
	i := len(v.offsets) - 1
	if i > 0 {
		i = sort.Search(len(v.offsets), func(x int) bool { return v.offsets[x] > global }) - 1
	}
	if i < 0 {
		return nil
	}
	local := global - v.offsets[i]
	rows := v.tables[i].rows
	if local >= uint64(len(rows)) {
		return nil
	}
	return &rows[local]
}

// view returns the rows of snap's segments, building those not yet cached,
// and drops the cached tables of segments snap no longer holds.
func (t *table) view(snap *scorch.IndexSnapshot) (*view, error) {
	segs := snap.Segments()
	v := &view{offsets: make([]uint64, len(segs)), tables: make([]*segTable, len(segs))}
	live := make(map[segKey]bool, len(segs))
	t.mu.Lock()
	var running uint64
	for i, s := range segs {
		k := segKey{s.Id(), s.Segment().Count()}
		live[k] = true
		st, ok := t.segs[k]
		if !ok {
			st = &segTable{}
			t.segs[k] = st
		}
		v.tables[i], v.offsets[i] = st, running
		running += k.count
	}
	for k := range t.segs {
		if !live[k] {
			delete(t.segs, k)
		}
	}
	t.mu.Unlock()
	for i, s := range segs {
		st := v.tables[i]
		st.once.Do(func() { st.rows, st.err = t.build(s) })
		if st.err != nil {
			return nil, st.err
		}
	}
	return v, nil
}

// build decodes every document of a segment, deleted ones included (the
// searchers skip those).
func (t *table) build(s *scorch.SegmentSnapshot) ([]row, error) {
	n := s.Segment().Count()
	rows := make([]row, n)
	today := int32(day(time.Now()))
	for num := uint64(0); num < n; num++ {
		r := &rows[num]
		r.missing = true
		err := s.VisitDocument(num, func(field string, _ byte, value []byte, _ []uint64) bool {
			switch field {
			case "_id":
				r.id = string(value)
			case fieldCard:
				r.missing = false
				if decodeCard(string(value), t.names, r) != nil {
					r.invalid = true
				}
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("read candidate table: %w", err)
		}
		if r.id == "" {
			id, err := s.DocID(num)
			if err != nil {
				return nil, fmt.Errorf("read candidate table: %w", err)
			}
			r.id = string(id)
		}
		r.tie = tieKey(r, today)
	}
	return rows, nil
}

// warm builds the rows of the index's current segments, so that the first
// query after a load or a merge does not pay for it.
func (t *table) warm(adv index.Index) error {
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	_, err = t.view(snap)
	return err
}

// filter is a candidate query's conditions on rows, and the facet counts of
// the rows that pass.
type filter struct {
	q          matching.CandidateQuery
	names      *interner
	kmPerLon   float64 // a lower bound of a degree of longitude's length near q.Geo
	province   uint16
	certs      []uint16
	availMax   int32 // inclusive; 0: none
	confMin    int32 // inclusive; 0: none
	impossible bool  // a province or certificate no candidate holds
	viewer     []uint64
	sectors    []uint64 // the viewer's sectors: hidden when every one is excluded

	skills, provinces, certCount []int // facet counts, when q.Facets
	hours                        []int
}

func newFilter(names *interner, q matching.CandidateQuery) *filter {
	f := &filter{q: q, names: names}
	if q.Geo != nil {
		// A degree of longitude is shortest at the latitude farthest from
		// the equator a row within reach can have: a lower bound.
		far := math.Min(90, math.Abs(q.Geo.Lat)+q.Geo.Km/kmPerDegree)
		f.kmPerLon = kmPerDegree * math.Cos(far*math.Pi/180)
	}
	if !q.AvailableBefore.IsZero() {
		f.availMax = int32(day(q.AvailableBefore))
	}
	if !q.ConfirmedAfter.IsZero() {
		f.confMin = int32(day(q.ConfirmedAfter))
	}
	if v := q.Viewer; v != nil {
		var e1, e2 error
		f.viewer, e1 = tokens(strings.Join(v.Tokens, ","))
		f.sectors, e2 = tokens(strings.Join(v.Sectors, ","))
		// A viewer whose tokens cannot be read sees nobody: failing closed.
		f.impossible = e1 != nil || e2 != nil
	}
	return f
}

// hides applies matching.Viewer.Hides to a row.
func (f *filter) hides(r *row) bool {
	for _, t := range f.viewer {
		if slices.Contains(r.conflicts, t) {
			return true
		}
	}
	if len(f.sectors) == 0 || len(r.excluded) == 0 {
		return false
	}
	for _, s := range f.sectors {
		if !slices.Contains(r.excluded, s) {
			return false
		}
	}
	return true
}

// resolve looks up the query's codes; called once the rows the search
// reads are built, since building them interns the codes.
func (f *filter) resolve() {
	if f.q.Province != "" {
		id, ok := f.names.lookup(f.q.Province)
		f.province, f.impossible = id, !ok
	}
	for _, c := range f.q.Certificates {
		id, ok := f.names.lookup(c)
		f.certs = append(f.certs, id)
		f.impossible = f.impossible || !ok
	}
	if f.q.Facets {
		n := f.names.size()
		f.skills, f.provinces, f.certCount, f.hours = make([]int, n), make([]int, n), make([]int, n), make([]int, len(matching.HoursBands))
	}
}

func (f *filter) accept(r *row) bool {
	if r == nil || r.missing || r.invalid || f.impossible {
		return false
	}
	if f.province != 0 && r.province != f.province {
		return false
	}
	if int(r.hours) < f.q.HoursMin || (f.availMax != 0 && r.availDay > f.availMax) || (f.confMin != 0 && r.confDay < f.confMin) {
		return false
	}
	if g := f.q.Geo; g != nil {
		// A cheap lower bound on the distance first: most rows the place
		// cells admit lie too far north, south, east or west.
		limit := min(g.Km, float64(r.travel))
		if math.Abs(r.lat-g.Lat)*kmPerDegree > limit || math.Abs(r.lon-g.Lon)*f.kmPerLon > limit {
			return false
		}
		if !matching.Within(*g, r.lat, r.lon, int(r.travel)) {
			return false
		}
	}
	// What lies outside the row's first cache line, for the rows in reach.
	if f.hides(r) {
		return false
	}
	for _, c := range f.certs {
		if !has(r.certs, c) {
			return false
		}
	}
	return true
}

// kmPerDegree is the length of a degree of latitude (and of longitude at
// the equator) on the sphere places.DistanceKm uses.
const kmPerDegree = 6371.0 * math.Pi / 180

func has(ids []uint16, id uint16) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (f *filter) count(r *row) {
	f.provinces[r.province]++
	for _, s := range r.skills {
		f.skills[s]++
	}
	for _, c := range r.certs {
		f.certCount[c]++
	}
	for i, b := range matching.HoursBands {
		if int(r.hours) >= b.Min && int(r.hours) <= b.Max {
			f.hours[i]++
			break
		}
	}
}

// results turns the counts into facets: terms by count (most first, then
// by name), at most size of each; hours bands in order.
func (f *filter) results() map[string][]matching.FacetCount {
	top := func(counts []int, size int) []matching.FacetCount {
		out := []matching.FacetCount{}
		for id, n := range counts {
			if n > 0 && id != 0 {
				out = append(out, matching.FacetCount{Value: f.names.name(uint16(id)), Count: n})
			}
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].Value < out[j].Value
		})
		return out[:min(len(out), size)]
	}
	hours := []matching.FacetCount{}
	for i, b := range matching.HoursBands {
		if f.hours != nil && f.hours[i] > 0 {
			hours = append(hours, matching.FacetCount{Value: b.Name, Count: f.hours[i]})
		}
	}
	return map[string][]matching.FacetCount{
		"skills": top(f.skills, 20), "province": top(f.provinces, 12), "certificates": top(f.certCount, 20), "hours": hours,
	}
}

// tableQuery runs an inner Bleve query and keeps the matches whose rows
// pass the filter, counting facets over them. It names each kept match by
// its row's id, so the collector's tie-break on _id reads no stored field.
type tableQuery struct {
	inner  query.Query
	table  *table
	filter *filter
}

func (q *tableQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("candidate table: reader %T is not a scorch snapshot", r)
	}
	v, err := q.table.view(snap)
	if err != nil {
		return nil, err
	}
	f := q.filter
	f.resolve()
	inner, err := q.inner.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	return searcher.NewFilteringSearcher(ctx, inner, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		row := v.row(d.IndexInternalID.Value())
		if !f.accept(row) {
			return false
		}
		d.ID = row.tie
		if f.q.Facets {
			f.count(row)
		}
		return true
	}), nil
}
