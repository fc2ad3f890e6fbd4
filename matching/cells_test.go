package matching_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/places"
)

// TestCellsNear_CoverEveryPointWithin: for random centres, radii and
// points, a point within the radius lies in a listed cell (the filter is a
// superset), and radii beyond FineKm use the coarse grid.
func TestCellsNear_CoverEveryPointWithin(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for i := 0; i < 300; i++ {
		lat, lon := 50.8+r.Float64()*2.6, 3.4+r.Float64()*3.7
		km := []float64{3, 10, 25, 40, 100, 300}[r.IntN(6)]
		field, cells := matching.CellsNear(lat, lon, km)
		cellOf := matching.CellOf
		if field == matching.FieldCoarseCell {
			cellOf = matching.CoarseCellOf
		} else if km > matching.FineKm {
			t.Fatalf("radius %v km uses fine cells", km)
		}
		for j := 0; j < 200; j++ {
			pLat, pLon := lat+(r.Float64()-0.5)*km/55, lon+(r.Float64()-0.5)*km/34
			if places.DistanceKm(lat, lon, pLat, pLon) > km {
				continue
			}
			if !slices.Contains(cells, cellOf(pLat, pLon)) {
				t.Fatalf("a point within %v km of (%.3f, %.3f) lies in cell %s, not listed", km, lat, lon, cellOf(pLat, pLon))
			}
		}
	}
}
