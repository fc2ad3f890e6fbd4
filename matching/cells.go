package matching

import (
	"fmt"
	"math"

	"github.com/herstart/herstart/places"
)

// The grids the engines filter by place with: fine cells of about 5 × 5 km
// near the centre and coarse cells of about 25 × 25 km further out. A
// geo-distance query in Bleve costs 12 ms at 25 km over 10,000 documents
// (measured here); a disjunction of cell terms costs a fraction of that.
// Cells give a superset; the engine then checks the exact distance.
const (
	CellLat, CellLon             = 0.045, 0.075 // fine
	CoarseCellLat, CoarseCellLon = 0.225, 0.375 // coarse: 5 × 5 fine cells
	// FineKm is the largest radius fine cells are used for; beyond it,
	// coarse ones.
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

// CellsNear names the cells with a point within km of the centre, and the
// document field they are found in: fine cells for up to FineKm, coarse
// ones beyond (which cover the near ones too). A superset: every point
// within km lies in a listed cell.
func CellsNear(lat, lon, km float64) (field string, cells []string) {
	if km <= FineKm {
		return FieldCell, grid(lat, lon, km, CellLat, CellLon)
	}
	return FieldCoarseCell, grid(lat, lon, km, CoarseCellLat, CoarseCellLon)
}

func grid(lat, lon, km, dLat, dLon float64) []string {
	dy := int(math.Ceil(km/111.0/dLat)) + 1
	dx := int(math.Ceil(km/(111.0*math.Cos(lat*math.Pi/180))/dLon)) + 1
	cx, cy := xy(lat, lon, dLat, dLon)
	var out []string
	for x := cx - dx; x <= cx+dx; x++ {
		for y := cy - dy; y <= cy+dy; y++ {
			// the nearest point of the cell to the centre
			nLat := math.Max(float64(y)*dLat, math.Min(lat, float64(y+1)*dLat))
			nLon := math.Max(float64(x)*dLon, math.Min(lon, float64(x+1)*dLon))
			if places.DistanceKm(lat, lon, nLat, nLon) <= km {
				out = append(out, fmt.Sprintf("%d_%d", x, y))
			}
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
