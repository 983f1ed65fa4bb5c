package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/internal/testenv"
)

// The end-to-end tests start the real app (run, as main does) on a free port, both ways — on
// SQLite with in-memory stores, and on PostgreSQL + streaming replica + Redis from `make
// services` — and drive the user journeys over HTTP.

func TestMain(m *testing.M) {
	// The SIGTERM test re-executes this binary as the shop itself.
	if os.Getenv("SHOP_E2E_CHILD") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// syncBuffer collects the app's log lines for assertions.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type shop struct {
	base string
	logs *syncBuffer
	ip   atomic.Int64 // distinct client IP per request (X-Forwarded-For from a trusted proxy)
}

var listenLine = regexp.MustCompile(`listening on (\S+)`)

// startShop runs the app in this process with env on top of the test defaults and stops it at
// cleanup.
func startShop(t *testing.T, env map[string]string) *shop {
	t.Helper()
	vars := map[string]string{
		"SHOP_ADDR":             "127.0.0.1:0",
		"SHOP_SQLITE":           t.TempDir() + "/shop.db",
		"TRUSTED_PROXIES":       "127.0.0.1/32",
		"SECRET_KEY":            "e2e-secret-key-0123456789abcdef0123456789",
		"ADMIN_PASSWORD":        "letmein",
		"SHOP_API_RATE":         "10",
		"SHOP_API_USER_RATE":    "15",
		"SHOP_CONFIRM_WORK":     "10ms",
		"SHOP_SHUTDOWN_TIMEOUT": "5s",
		"SHOP_BESTSELLERS_CRON": "* * * * * *", // every second, so the test sees it run
	}
	for k, v := range env {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	logs := &syncBuffer{}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, getenv, logs, pw); _ = pw.Close() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	s := &shop{logs: logs}
	select {
	case a := <-addr:
		s.base = "http://" + a
	case err := <-done:
		t.Fatalf("shop exited at start: %v\n%s", err, logs.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("shop did not start\n%s", logs.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err, "shop shutdown")
		case <-time.After(time.Minute):
			t.Error("shop did not shut down")
		}
	})
	return s
}

// do sends a request as a client at a fresh IP (or at ip when not empty) and returns the
// response with its body read.
func (s *shop) do(t *testing.T, c *http.Client, method, path string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, body)
	require.NoError(t, err)
	n := s.ip.Add(1)
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", n/250%250, n%250+1))
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func noRedirect(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login returns a client holding an admin session.
func (s *shop) login(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := noRedirect(jar)
	resp, body := s.do(t, c, "GET", "/admin/login", nil, nil)
	require.Equal(t, 200, resp.StatusCode, body)
	m := csrfField.FindStringSubmatch(body)
	require.NotNil(t, m, "login form has no CSRF token: %s", body)
	form := url.Values{"password": {"letmein"}, "csrf_token": {m[1]}}
	resp, body = s.do(t, c, "POST", "/admin/login", strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": s.base, "Sec-Fetch-Site": "same-origin",
	})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	return c
}

// edit saves product id with a new name through the admin form.
func (s *shop) edit(t *testing.T, admin *http.Client, id int, name string) {
	t.Helper()
	resp, body := s.do(t, admin, "GET", "/admin/products/"+strconv.Itoa(id), nil, nil)
	require.Equal(t, 200, resp.StatusCode, body)
	m := csrfField.FindStringSubmatch(body)
	require.NotNil(t, m, "edit form has no CSRF token")
	form := url.Values{"name": {name}, "description": {"edited"}, "price_cents": {"1234"}, "stock": {"40"}, "csrf_token": {m[1]}}
	resp, body = s.do(t, admin, "POST", "/admin/products/"+strconv.Itoa(id), strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": s.base, "Sec-Fetch-Site": "same-origin",
	})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
}

type pauser interface {
	PauseReplay(ctx context.Context) error
	ResumeReplay(ctx context.Context) error
}

// journeys runs every user journey against one running shop. faults, when not nil, pauses WAL
// replay on the replica around the edit, so a stale replica read could not go unnoticed.
func journeys(t *testing.T, s *shop, faults pauser) {
	t.Run("edit is visible at once", func(t *testing.T) {
		// Warm every cache that shows product 1 (the listing, the detail page, the API entry)
		// and product 2's page, which the edit must leave alone.
		for i := 0; i < 2; i++ {
			for _, p := range []string{"/", "/products/1", "/api/v2/products/1", "/products/2"} {
				resp, body := s.do(t, nil, "GET", p, nil, nil)
				require.Equal(t, 200, resp.StatusCode, body)
				if i == 1 {
					require.Contains(t, resp.Header.Get("Cache-Status"), "hit", "second GET %s must be a cache hit", p)
				}
			}
		}
		admin := s.login(t)
		if faults != nil {
			ctx := context.Background()
			require.NoError(t, faults.PauseReplay(ctx))
			defer func() { require.NoError(t, faults.ResumeReplay(ctx)) }()
		}
		s.edit(t, admin, 1, "Anvil Deluxe")

		// Anyone, at once: no stale page, fragment or API entry, and (replay paused) no stale
		// replica read either.
		for _, p := range []string{"/", "/products/1"} {
			resp, body := s.do(t, nil, "GET", p, nil, nil)
			require.Equal(t, 200, resp.StatusCode)
			require.Contains(t, body, "Anvil Deluxe", "GET %s is stale after the edit", p)
		}
		resp, body := s.do(t, nil, "GET", "/api/v2/products/1", nil, nil)
		require.Equal(t, 200, resp.StatusCode)
		require.Contains(t, body, `"name":"Anvil Deluxe"`)
		// The editor too, reading through their read-your-writes cookie.
		resp, body = s.do(t, admin, "GET", "/admin/products/1", nil, nil)
		require.Equal(t, 200, resp.StatusCode)
		require.Contains(t, body, "Anvil Deluxe")
		// Product 2's page, cached before the edit, was not dropped: invalidation is exact.
		resp, _ = s.do(t, nil, "GET", "/products/2", nil, nil)
		require.Equal(t, 200, resp.StatusCode)
		require.Contains(t, resp.Header.Get("Cache-Status"), "hit", "the edit of product 1 dropped product 2's page")
	})

	t.Run("order runs its confirmation job with the request ID", func(t *testing.T) {
		const rid = "e2e-order-request-0000000001"
		resp, body := s.do(t, nil, "POST", "/api/v2/orders",
			strings.NewReader(`{"product_id":3,"quantity":2,"email":"ada@example.com"}`),
			map[string]string{"Content-Type": "application/json", "X-Request-ID": rid})
		require.Equal(t, http.StatusCreated, resp.StatusCode, body)
		require.Equal(t, rid, resp.Header.Get("X-Request-ID"))
		var o struct {
			ID        int64 `json:"id"`
			Confirmed bool  `json:"confirmed"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &o))
		require.Eventually(t, func() bool {
			_, body := s.do(t, nil, "GET", "/api/v2/orders/"+strconv.FormatInt(o.ID, 10), nil, nil)
			return strings.Contains(body, `"confirmed":true`)
		}, 30*time.Second, 50*time.Millisecond, "the confirmation job did not run")
		var confirmed string
		for _, line := range strings.Split(s.logs.String(), "\n") {
			if strings.Contains(line, `"order confirmed"`) && strings.Contains(line, `"order_id":`+strconv.FormatInt(o.ID, 10)) {
				confirmed = line
			}
		}
		require.NotEmpty(t, confirmed, "no confirmation log line")
		require.Contains(t, confirmed, `"request_id":"`+rid+`"`, "the job's log line lacks the request ID")
		// The access line names the route the version router matched, through every middleware
		// that copied the request on the way, and no line repeats a key.
		var access string
		for _, line := range strings.Split(s.logs.String(), "\n") {
			if strings.Contains(line, `"message":"request"`) && strings.Contains(line, `"request_id":"`+rid+`"`) {
				access = line
			}
		}
		require.Contains(t, access, `"route":"POST /api/orders"`)
		testenv.RequireNoRepeatedKeys(t, s.logs.String())
		// The periodic best-sellers job picks the order up.
		admin := s.login(t)
		require.Eventually(t, func() bool {
			_, body := s.do(t, admin, "GET", "/debug/stats", nil, nil)
			return regexp.MustCompile(`<td>[^<]+</td><td>2</td></tr>`).MatchString(body[strings.Index(body, "Best sellers"):])
		}, 30*time.Second, 100*time.Millisecond, "the periodic best-sellers job did not run")
		// Bad orders are refused whole.
		resp, _ = s.do(t, nil, "POST", "/api/v2/orders", strings.NewReader(`{"product_id":3,"quantity":0,"email":"x"}`),
			map[string]string{"Content-Type": "application/json"})
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})

	t.Run("v1 is deprecated with a sunset and keeps its shape", func(t *testing.T) {
		resp, body := s.do(t, nil, "GET", "/api/v1/products/2", nil, nil)
		require.Equal(t, 200, resp.StatusCode, body)
		require.Regexp(t, `^@\d+$`, resp.Header.Get("Deprecation"))
		require.Equal(t, "Wed, 30 Jun 2027 00:00:00 GMT", resp.Header.Get("Sunset"))
		require.Contains(t, body, `"price_cents":`)
		resp, body = s.do(t, nil, "GET", "/api/v2/products/2", nil, nil)
		require.Equal(t, 200, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Deprecation"))
		require.Contains(t, body, `"price":{"amount_cents":`)
		resp, body = s.do(t, nil, "GET", "/api/v9/products/2", nil, nil)
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), body)
	})

	t.Run("keyset pages with a capped size and tamper-evident cursor", func(t *testing.T) {
		resp, body := s.do(t, nil, "GET", "/api/v2/products?limit=1000", nil, nil)
		require.Equal(t, 200, resp.StatusCode, body)
		require.Equal(t, strconv.Itoa(maxPageSize), resp.Header.Get("X-Page-Limit"))
		resp, _ = s.do(t, nil, "GET", "/api/v2/products?limit=5", nil, nil)
		link := resp.Header.Get("Link")
		m := regexp.MustCompile(`cursor=([^>&]+)`).FindStringSubmatch(link)
		require.NotNil(t, m, "no next link: %q", link)
		resp, body = s.do(t, nil, "GET", "/api/v2/products?limit=5&cursor="+m[1], nil, nil)
		require.Equal(t, 200, resp.StatusCode)
		require.Contains(t, body, `"id":6`)
		tampered := []byte(m[1])
		tampered[1] ^= 1
		resp, body = s.do(t, nil, "GET", "/api/v2/products?limit=5&cursor="+url.QueryEscape(string(tampered)), nil, nil)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	})

	t.Run("11th request past a limit of 10 gets 429", func(t *testing.T) {
		hdr := map[string]string{"X-Forwarded-For": "203.0.113.77"}
		for i := 1; i <= 10; i++ {
			resp, _ := s.doAs(t, "GET", "/api/v2/products/4", hdr)
			require.Equal(t, 200, resp.StatusCode, "request %d", i)
		}
		resp, body := s.doAs(t, "GET", "/api/v2/products/4", hdr)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, body)
		ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.GreaterOrEqual(t, ra, 1)
		require.Contains(t, body, "quota-exceeded")
	})

	t.Run("per-customer limit holds across IPs", func(t *testing.T) {
		for i := 1; i <= 15; i++ { // 15 addresses, one request each: no per-IP limit is near
			resp, body := s.doAs(t, "GET", "/api/v2/products/5", map[string]string{
				"X-Forwarded-For": fmt.Sprintf("203.0.114.%d", i), "X-Customer": "c-42"})
			require.Equal(t, 200, resp.StatusCode, "request %d: %s", i, body)
		}
		resp, body := s.doAs(t, "GET", "/api/v2/products/5", map[string]string{
			"X-Forwarded-For": "203.0.114.99", "X-Customer": "c-42"})
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, body)
		require.Contains(t, body, "customer", "the customer policy is the one violated")
		resp, _ = s.doAs(t, "GET", "/api/v2/products/5", map[string]string{
			"X-Forwarded-For": "203.0.114.99", "X-Customer": "c-43"})
		require.Equal(t, 200, resp.StatusCode, "another customer from the same address is not limited")
	})

	t.Run("cross-site POST gets 403", func(t *testing.T) {
		admin := s.login(t)
		form := url.Values{"name": {"pwned"}, "price_cents": {"1"}, "stock": {"1"}}
		resp, body := s.do(t, admin, "POST", "/admin/products/5", strings.NewReader(form.Encode()), map[string]string{
			"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site",
		})
		require.Equal(t, http.StatusForbidden, resp.StatusCode, body)
		_, body = s.do(t, admin, "GET", "/admin/products/5", nil, nil)
		require.NotContains(t, body, "pwned")
	})

	t.Run("forged Host gets 400", func(t *testing.T) {
		resp, body := s.do(t, nil, "GET", "/", nil, map[string]string{"Host": "evil.example"})
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	})

	t.Run("admin pages need the login", func(t *testing.T) {
		for _, p := range []string{"/admin/", "/debug/stats", "/admin/jobs/"} {
			resp, _ := s.do(t, noRedirect(nil), "GET", p, nil, nil)
			require.Equal(t, http.StatusSeeOther, resp.StatusCode, p)
		}
		admin := s.login(t)
		resp, body := s.do(t, admin, "GET", "/debug/stats", nil, nil)
		require.Equal(t, 200, resp.StatusCode, body)
		require.Contains(t, body, "hit ratio")
		resp, body = s.do(t, admin, "GET", "/admin/jobs/", nil, nil)
		require.Equal(t, 200, resp.StatusCode, "River UI behind the admin login: %s", body)
	})

	t.Run("health, compression and hardened cookies", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			resp, body := s.do(t, nil, "GET", p, nil, nil)
			require.Equal(t, 200, resp.StatusCode, "%s: %s", p, body)
		}
		// A client that asks for gzip gets it (set by hand, so Go's transport does not undo it).
		resp, body := s.do(t, nil, "GET", "/", nil, map[string]string{"Accept-Encoding": "gzip"})
		require.Equal(t, 200, resp.StatusCode)
		require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		zr, err := gzip.NewReader(strings.NewReader(body))
		require.NoError(t, err)
		page, err := io.ReadAll(zr)
		require.NoError(t, err)
		require.Contains(t, string(page), "Products")
		// The admin session cookie is HttpOnly and SameSite (Secure too behind HTTPS:
		// SHOP_SSL_REDIRECT, off in this plain-HTTP test).
		resp, _ = s.do(t, nil, "GET", "/admin/login", nil, nil)
		cookies := resp.Cookies()
		require.NotEmpty(t, cookies, "the login form sets its CSRF cookie")
		for _, c := range cookies {
			require.True(t, c.HttpOnly, "cookie %s is script-readable", c.Name)
			require.Contains(t, []http.SameSite{http.SameSiteLaxMode, http.SameSiteStrictMode}, c.SameSite, "cookie %s: SameSite", c.Name)
		}
	})
}

// doAs sends a request with the given headers verbatim (no generated client IP).
func (s *shop) doAs(t *testing.T, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, nil)
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestShopOnSQLite(t *testing.T) {
	t.Parallel()
	s := startShop(t, nil)
	journeys(t, s, nil)
}

func TestShopOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	faults := testenv.ReplicaFaults(t)
	schema := testenv.NewSchema(t)
	testenv.UseReplica(t)
	s := startShop(t, map[string]string{
		"DATABASE_URL":          schema.PrimaryDSN,
		"DATABASE_REPLICA_URLS": schema.ReplicaDSN,
		"REDIS_URL":             "redis://" + testenv.RedisAddr(t),
		"SHOP_REDIS_PREFIX":     testenv.KeyPrefix(t),
	})
	journeys(t, s, faults)

	// Reads really landed on the replica.
	admin := s.login(t)
	_, body := s.do(t, admin, "GET", "/debug/stats", nil, nil)
	m := regexp.MustCompile(`<td>replica-1</td><td>replica</td><td>(\d+)</td>`).FindStringSubmatch(body)
	require.NotNil(t, m, "no replica row on /debug/stats: %s", body)
	n, _ := strconv.Atoi(m[1])
	require.Positive(t, n, "no query ran on the replica")
}

// TestShopSIGTERMWhileAJobRuns runs the shop as its own process, sends SIGTERM while an order's
// confirmation job is running, and checks the shop exits cleanly and the job is not lost: it
// runs to completion once the shop is back.
func TestShopSIGTERMWhileAJobRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"SHOP_E2E_CHILD=1", "SHOP_ADDR=127.0.0.1:0", "SHOP_SQLITE=" + dir + "/shop.db",
		"SECRET_KEY=e2e-secret-key-0123456789abcdef0123456789", "SHOP_SHUTDOWN_TIMEOUT=1s"}
	start := func(work string) (*exec.Cmd, *syncBuffer, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), append(env, "SHOP_CONFIRM_WORK="+work)...)
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		var base string
		require.Eventually(t, func() bool {
			m := listenLine.FindStringSubmatch(out.String())
			if m != nil {
				base = "http://" + m[1]
			}
			return m != nil
		}, 2*time.Minute, 20*time.Millisecond, "child shop did not start: %s", out)
		return cmd, out, base
	}
	cmd, out, base := start("1m")
	s := &shop{base: base}
	resp, body := s.do(t, nil, "POST", "/api/v2/orders", strings.NewReader(`{"product_id":1,"quantity":1,"email":"bo@example.com"}`),
		map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	var o struct{ ID int64 }
	require.NoError(t, json.Unmarshal([]byte(body), &o))
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"confirmation started"`) },
		30*time.Second, 20*time.Millisecond, "the job did not start: %s", out)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err, "the shop must exit cleanly on SIGTERM: %s", out)
	case <-time.After(30 * time.Second):
		t.Fatalf("the shop did not exit after SIGTERM: %s", out)
	}
	require.Contains(t, out.String(), `"stopped"`)

	// Back up with a fast worker: the interrupted job runs again and the order is confirmed.
	_, out2, base2 := start("10ms")
	s2 := &shop{base: base2}
	require.Eventually(t, func() bool {
		_, body := s2.do(t, nil, "GET", "/api/v2/orders/"+strconv.FormatInt(o.ID, 10), nil, nil)
		return strings.Contains(body, `"confirmed":true`)
	}, 60*time.Second, 100*time.Millisecond, "the interrupted job was lost: %s", out2)
}
