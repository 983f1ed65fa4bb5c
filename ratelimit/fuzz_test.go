package ratelimit_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
)

// FuzzParseRemoteAddr: any RemoteAddr either fails with ErrNoClientIP or yields a clean address
// whose key is stable across its /64 (IPv6) or is the address itself (IPv4).
func FuzzParseRemoteAddr(f *testing.F) {
	for _, s := range []string{"192.0.2.1:80", "[2001:db8::1]:443", "[fe80::1%eth0]:1", "::ffff:1.2.3.4", "[::1]", "[::1", "1.2.3.4:", ":80", "", "@", "999.0.0.1:1", "2001:db8::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ratelimit.ParseRemoteAddr(s)
		if err != nil {
			if !errors.Is(err, ratelimit.ErrNoClientIP) {
				t.Fatalf("%q: error %v does not wrap ErrNoClientIP", s, err)
			}
			return
		}
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("%q: unclean address %v", s, a)
		}
		key, err := ratelimit.IPKey(a)
		if err != nil || key == "" {
			t.Fatalf("%q: IPKey(%v) = %q, %v", s, a, key, err)
		}
		if a.Is4() {
			if key != a.String() {
				t.Fatalf("%q: IPv4 key %q != %v", s, key, a)
			}
			return
		}
		p, err := netip.ParsePrefix(key)
		if err != nil || p.Bits() != 64 || !p.Contains(a) {
			t.Fatalf("%q: IPv6 key %q is not the /64 of %v", s, key, a)
		}
		// Every address of the same /64 has the same key.
		b := a.As16()
		for i := 8; i < 16; i++ {
			b[i] ^= 0xa5
		}
		other, _ := ratelimit.IPKey(netip.AddrFrom16(b))
		if other != key {
			t.Fatalf("%q: neighbour in the /64 keyed %q, want %q", s, other, key)
		}
	})
}

var (
	policyHeaderRE = regexp.MustCompile(`^"[A-Za-z0-9_.-]{1,64}";q=[0-9]+;w=[0-9]+$`)
	rateHeaderRE   = regexp.MustCompile(`^"[A-Za-z0-9_.-]{1,64}";r=[0-9]+;t=[0-9]+$`)
)

// FuzzMiddlewareHeaders: any policy name and limit either is refused at construction or yields
// well-formed Structured Field headers, and a rejection's Retry-After is never shorter than the
// true wait.
func FuzzMiddlewareHeaders(f *testing.F) {
	f.Add("ip", 10, int64(time.Minute), 10, 11)
	f.Add("user-daily", 1000, int64(24*time.Hour), 5, 6)
	f.Add(`a"b`, 1, int64(time.Second), 1, 2)
	f.Add("x", 3, int64(time.Second), 1, 2)
	f.Add("", 0, int64(0), 0, 1)
	f.Add("p", 7, int64(1500*time.Millisecond), 2, 3)
	f.Fuzz(func(t *testing.T, name string, rate int, period int64, burst int, n int) {
		if n < 0 || n > 64 {
			return
		}
		clock := newFakeClock()
		store, _ := ratelimit.NewMemoryStore(&ratelimit.MemoryConfig{Now: clock.Now})
		lim, _ := ratelimit.New(store, &ratelimit.Config{Now: clock.Now})
		l := ratelimit.Limit{Rate: rate, Period: time.Duration(period), Burst: burst}
		mw, err := lim.Middleware([]ratelimit.Policy{{Name: name, Limit: l, Key: ratelimit.ClientIP(nil)}}, &ratelimit.MiddlewareConfig{LegacyHeaders: true})
		if err != nil {
			if !errors.Is(err, ratelimit.ErrInvalidConfig) && !errors.Is(err, ratelimit.ErrInvalidLimit) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if l.Validate() == nil && ratelimitNameOK(name) {
				t.Fatalf("valid policy %q %+v refused: %v", name, l, err)
			}
			return
		}
		if l.Validate() != nil {
			t.Fatalf("invalid limit %+v accepted", l)
		}
		h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		admitted := 0
		for i := 0; i < n; i++ {
			r := httptest.NewRequest("GET", "/", nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if v := w.Header().Get("RateLimit-Policy"); !policyHeaderRE.MatchString(v) {
				t.Fatalf("RateLimit-Policy %q", v)
			}
			if v := w.Header().Get("RateLimit"); !rateHeaderRE.MatchString(v) {
				t.Fatalf("RateLimit %q", v)
			}
			switch w.Code {
			case 200:
				admitted++
			case 429:
				ra, err := strconv.ParseInt(w.Header().Get("Retry-After"), 10, 64)
				if err != nil || ra < 1 {
					t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
				}
				// The true wait: the bucket admits again exactly one interval after the
				// (burst)th request at this instant; Retry-After may not be shorter.
				if time.Duration(ra)*time.Second < l.Interval() && admitted == burst {
					t.Fatalf("Retry-After %ds < interval %s", ra, l.Interval())
				}
				if !strings.Contains(w.Body.String(), "quota-exceeded") {
					t.Fatalf("body %s", w.Body.String())
				}
			default:
				t.Fatalf("status %d", w.Code)
			}
		}
		if admitted != min(n, burst) {
			t.Fatalf("admitted %d of %d with burst %d", admitted, n, burst)
		}
	})
}

func ratelimitNameOK(name string) bool {
	return regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`).MatchString(name)
}

// FuzzGCRA checks the algorithm's invariants on arbitrary numbers.
func FuzzGCRA(f *testing.F) {
	f.Add(int64(1e9), int64(0), 10, int64(time.Second), 10, 1)
	f.Add(int64(1e9), int64(2e9), 1, int64(time.Hour), 3, 2)
	f.Add(int64(0), int64(-5), 3, int64(time.Second), 1, 0)
	f.Fuzz(func(t *testing.T, now, tat int64, rate int, period int64, burst, cost int) {
		l := ratelimit.Limit{Rate: rate, Period: time.Duration(period), Burst: burst}
		if l.Validate() != nil || cost < 0 || cost > burst || now < 0 || now > 1<<61 || tat > now+int64(l.Interval())*int64(burst) {
			return // stores refuse these before GCRA runs; tat beyond now+tolerance never occurs
		}
		next, r := ratelimit.GCRA(now, tat, l, cost)
		if r.Remaining < 0 || r.Remaining > burst || r.RetryAfter < 0 || r.ResetAfter < 0 {
			t.Fatalf("out of range: %+v", r)
		}
		if r.Allowed {
			if r.RetryAfter != 0 || next-now > int64(l.Interval())*int64(burst) || next <= max(tat, now)-1 {
				t.Fatalf("allowed but %+v next=%d", r, next)
			}
			return
		}
		if r.RetryAfter <= 0 || next != tat {
			t.Fatalf("rejected but %+v next=%d tat=%d", r, next, tat)
		}
		// At now+RetryAfter it fits, and not a nanosecond earlier.
		if _, r2 := ratelimit.GCRA(now+int64(r.RetryAfter), tat, l, cost); !r2.Allowed {
			t.Fatalf("still rejected after RetryAfter %s", r.RetryAfter)
		}
		if _, r3 := ratelimit.GCRA(now+int64(r.RetryAfter)-1, tat, l, cost); r3.Allowed {
			t.Fatalf("admitted before RetryAfter %s", r.RetryAfter)
		}
	})
}

// FuzzRetryAfterValue: delta-seconds are the duration rounded up.
func FuzzRetryAfterValue(f *testing.F) {
	for _, d := range []int64{0, 1, int64(time.Second), int64(time.Second) + 1, int64(1500 * time.Millisecond), -5, 1 << 62} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d int64) {
		v := ratelimit.RetryAfterValue(time.Duration(d))
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s < 0 {
			t.Fatalf("%d -> %q", d, v)
		}
		if d <= 0 {
			if s != 0 {
				t.Fatalf("%d -> %q", d, v)
			}
			return
		}
		sec := uint64(time.Second) // uint64: s seconds may exceed MaxInt64 nanoseconds
		if uint64(s)*sec < uint64(d) || uint64(s-1)*sec >= uint64(d) {
			t.Fatalf("%d -> %d s is not the ceiling", d, s)
		}
	})
}
