package web

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Proxies is the set of load balancers whose client-address header is
// believed: HERSTART_PROXY_HEADER with HERSTART_TRUSTED_PROXIES.
type Proxies struct {
	Header   string         // e.g. X-Forwarded-For; empty: the peer address is the client
	Trusted  []netip.Prefix // the proxies' addresses
	disabled bool
}

// ParseProxies reads a comma-separated list of addresses and CIDR prefixes.
func ParseProxies(header, list string) (Proxies, error) {
	p := Proxies{Header: strings.TrimSpace(header)}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return Proxies{}, fmt.Errorf("trusted proxy %q is not an address or CIDR prefix", s)
			}
			p.Trusted = append(p.Trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			return Proxies{}, fmt.Errorf("trusted proxy %q is not an address or CIDR prefix", s)
		}
		p.Trusted = append(p.Trusted, pr.Masked())
	}
	return p, nil
}

// Ignored reports whether a header is configured but no proxy is trusted:
// then the header is never believed (every request counts against its
// peer), which serve warns about at start.
func (p Proxies) Ignored() bool { return p.Header != "" && len(p.Trusted) == 0 }

func (p Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p.Trusted {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address the per-IP limits count against. Without a proxy
// header, or for a request that did not come from a trusted proxy, it is
// the peer. Otherwise it is the right-most address of the header that no
// trusted proxy added (each proxy appends the address it saw; whatever a
// client wrote itself stands to the left). A missing or malformed header
// falls back to the peer: never an empty address, which used to mean "no
// limit".
func (p Proxies) ClientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return "unknown"
	}
	peer = peer.Unmap()
	if p.Header == "" || len(p.Trusted) == 0 || !p.trusted(peer) {
		return peer.String()
	}
	h := strings.TrimSpace(c.Get(p.Header))
	if h == "" || len(h) > 1024 {
		return peer.String()
	}
	hops := strings.Split(h, ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer.String()
		}
		client = a.Unmap()
		if !p.trusted(client) {
			break
		}
	}
	return client.String()
}
