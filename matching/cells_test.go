package matching_test

import (
	"math/rand/v2"
	"testing"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/places"
)

// TestRings_CoverEveryReachablePoint: for random centres, radii and points,
// a point within the radius lies in a listed cell whose ring does not ask a
// larger travel radius than the point's distance (the filter is a superset).
func TestRings_CoverEveryReachablePoint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for i := 0; i < 300; i++ {
		lat, lon := 50.8+r.Float64()*2.6, 3.4+r.Float64()*3.7
		km := []float64{3, 10, 25, 40, 100, 300}[r.IntN(6)]
		rings := matching.Rings(lat, lon, km)
		in := map[string]map[string]int{matching.FieldCell: {}, matching.FieldCoarseCell: {}}
		for _, ring := range rings {
			for _, c := range ring.Cells {
				if old, ok := in[ring.Field][c]; !ok || ring.MinKm < old {
					in[ring.Field][c] = ring.MinKm
				}
			}
		}
		for j := 0; j < 200; j++ {
			pLat, pLon := lat+(r.Float64()-0.5)*km/55, lon+(r.Float64()-0.5)*km/34
			d := places.DistanceKm(lat, lon, pLat, pLon)
			if d > km {
				continue
			}
			fine, okF := in[matching.FieldCell][matching.CellOf(pLat, pLon)]
			coarse, okC := in[matching.FieldCoarseCell][matching.CoarseCellOf(pLat, pLon)]
			if !(okF && float64(fine) <= d) && !(okC && float64(coarse) <= d) {
				t.Fatalf("point %.1f km from the centre (radius %v) is in no ring that admits it", d, km)
			}
		}
	}
}
