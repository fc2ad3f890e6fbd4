package payments

import "testing"

// TestPayoutEntry_MayApprove: the list entry knows who may not approve a
// payout (who scheduled it, who approved it already), so the pages offer
// "Approve" only to a coordinator who may.
func TestPayoutEntry_MayApprove(t *testing.T) {
	p := Payout{ID: "po_x", State: Due, ScheduledBy: "u_c1", Approvals: []string{"u_c2"}, AmountCents: 100}
	got := decodePayoutEntry(p.ID, payoutEntry(p))
	for user, want := range map[string]bool{"u_c1": false, "u_c2": false, "u_c3": true} {
		if got.MayApprove(user) != want {
			t.Errorf("MayApprove(%s) = %v; want %v", user, !want, want)
		}
	}
	if got.AmountCents != 100 || got.State != Due {
		t.Fatalf("entry read back as %+v", got)
	}
	// An entry written before the field existed: the button shows, and
	// Approve decides.
	old := decodePayoutEntry("po_y", "due|2026-12-01|s_a|p_b|e_c|100")
	if !old.MayApprove("u_c1") || old.AmountCents != 100 {
		t.Fatalf("an older entry: %+v", old)
	}
}
