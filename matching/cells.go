package matching

import (
	"fmt"
	"math"

	"github.com/herstart/herstart/matching/places"
)

// The grids the engines filter by place with: fine cells of about 5 × 5 km
// near the centre and coarse cells of about 25 × 25 km further out. A
// geo-distance query in Bleve costs 12 ms at 25 km over 10,000 documents
// (measured here); a disjunction of cell terms costs a fraction of that.
// Cells give a superset; the engine then checks the exact distance.
const (
	CellLat, CellLon             = 0.045, 0.075 // fine
	CoarseCellLat, CoarseCellLon = 0.225, 0.375 // coarse: 5 × 5 fine cells
	RingKm                       = 5
	CoarseRingKm                 = 25
	// FineKm is how far out fine cells are used; beyond it, coarse ones.
	FineKm = 25
)

// Cell fields of an index document.
const (
	FieldCell       = "home_cell"
	FieldCoarseCell = "home_cell25"
)

func xy(lat, lon, dLat, dLon float64) (int, int) {
	return int(math.Floor(lon / dLon)), int(math.Floor(lat / dLat))
}

// CellOf names the fine cell a point lies in.
func CellOf(lat, lon float64) string {
	x, y := xy(lat, lon, CellLat, CellLon)
	return fmt.Sprintf("%d_%d", x, y)
}

// CoarseCellOf names the coarse cell a point lies in.
func CoarseCellOf(lat, lon float64) string {
	x, y := xy(lat, lon, CoarseCellLat, CoarseCellLon)
	return fmt.Sprintf("%d_%d", x, y)
}

// Ring is cells of one grid whose nearest point lies at MinKm or more from a
// centre: a document in them can be reached only with a travel radius of at
// least MinKm.
type Ring struct {
	Field string
	MinKm int
	Cells []string
}

// Rings lists the cells with a point within km of the centre: fine cells up
// to FineKm, grouped by 5 km rings, and coarse cells beyond, grouped by
// 25 km rings. Every point within km lies in a listed cell whose ring's
// MinKm does not exceed its distance (a point beyond FineKm is in a coarse
// ring of MinKm ≥ FineKm; one nearer is in a fine ring).
func Rings(lat, lon, km float64) []Ring {
	fine := grid(lat, lon, math.Min(km, FineKm), CellLat, CellLon, RingKm, 0, FieldCell)
	if km <= FineKm {
		return fine
	}
	return append(fine, grid(lat, lon, km, CoarseCellLat, CoarseCellLon, CoarseRingKm, FineKm, FieldCoarseCell)...)
}

func grid(lat, lon, km, dLat, dLon float64, ringKm, floorKm int, field string) []Ring {
	dy := int(math.Ceil(km/111.0/dLat)) + 1
	dx := int(math.Ceil(km/(111.0*math.Cos(lat*math.Pi/180))/dLon)) + 1
	cx, cy := xy(lat, lon, dLat, dLon)
	byRing := map[int][]string{}
	maxRing := 0
	for x := cx - dx; x <= cx+dx; x++ {
		for y := cy - dy; y <= cy+dy; y++ {
			// the nearest point of the cell to the centre
			nLat := math.Max(float64(y)*dLat, math.Min(lat, float64(y+1)*dLat))
			nLon := math.Max(float64(x)*dLon, math.Min(lon, float64(x+1)*dLon))
			d := places.DistanceKm(lat, lon, nLat, nLon)
			if d > km {
				continue
			}
			r := int(math.Max(d, float64(floorKm))) / ringKm
			byRing[r] = append(byRing[r], fmt.Sprintf("%d_%d", x, y))
			maxRing = max(maxRing, r)
		}
	}
	out := make([]Ring, 0, len(byRing))
	for r := 0; r <= maxRing; r++ {
		if cells := byRing[r]; len(cells) > 0 {
			out = append(out, Ring{Field: field, MinKm: r * ringKm, Cells: cells})
		}
	}
	return out
}

// Within reports whether a candidate at home (lat, lon) with travel radius
// lies within km of the point and can travel there: the exact check after
// the cell filter.
func Within(g Geo, lat, lon float64, travelKm int) bool {
	d := places.DistanceKm(g.Lat, g.Lon, lat, lon)
	return d <= g.Km && d <= float64(travelKm)
}
