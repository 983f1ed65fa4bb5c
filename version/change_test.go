package version

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The product API went through three date versions:
//
//	2024-01-01  {"id":1,"name":"Lamp","price_cents":1250}
//	2024-06-01  price became an object: {"id":1,"name":"Lamp","price":{"amount":"12.50","currency":"EUR"}}
//	2025-01-01  name was renamed title:  {"id":1,"title":"Lamp","price":{...}}
//
// One handler, written for 2025-01-01, serves all three.
var (
	priceObject = Change{
		Description: "price_cents became price {amount, currency}",
		Routes:      []string{"/products", "/products/{id}"},
		Request: func(_ *http.Request, body any) (any, error) {
			return body, EachObject(body, func(p map[string]any) error {
				c, ok := p["price_cents"].(json.Number)
				if !ok {
					return errors.New("price_cents must be a number")
				}
				n, err := c.Int64()
				if err != nil {
					return fmt.Errorf("price_cents: %w", err)
				}
				delete(p, "price_cents")
				p["price"] = map[string]any{"amount": fmt.Sprintf("%d.%02d", n/100, n%100), "currency": "EUR"}
				return nil
			})
		},
		Response: func(_ *http.Request, status int, body any) (any, error) {
			if status >= 300 {
				return body, nil
			}
			return body, EachObject(body, func(p map[string]any) error {
				price, _ := p["price"].(map[string]any)
				amount, _ := price["amount"].(string)
				whole, frac, _ := strings.Cut(amount, ".")
				n, err := strconv.ParseInt(whole+frac, 10, 64)
				if err != nil {
					return fmt.Errorf("price.amount %q: %w", amount, err)
				}
				delete(p, "price")
				p["price_cents"] = n
				return nil
			})
		},
	}
	titleRename = Change{
		Description: "name was renamed title",
		Routes:      []string{"/products", "/products/{id}"},
		Request: func(_ *http.Request, body any) (any, error) {
			return body, EachObject(body, func(p map[string]any) error { rename(p, "name", "title"); return nil })
		},
		Response: func(_ *http.Request, _ int, body any) (any, error) {
			return body, EachObject(body, func(p map[string]any) error { rename(p, "title", "name"); return nil })
		},
	}
)

func rename(m map[string]any, from, to string) {
	if v, ok := m[from]; ok {
		delete(m, from)
		m[to] = v
	}
}

type shop struct {
	h        http.Handler
	received []string // request bodies as the handler saw them
	buffered []bool
}

func setupShop(t *testing.T, cfg *Config) *shop {
	t.Helper()
	if cfg == nil {
		cfg = &Config{}
	}
	cfg.Readers = []Reader{Header("Stripe-Version")}
	n, err := New([]Spec{
		{Version: "2024-01-01"},
		{Version: "2024-06-01", Changes: []Change{priceObject}},
		{Version: "2025-01-01", Changes: []Change{titleRename}},
	}, cfg)
	require.NoError(t, err)
	s := &shop{}
	current := `{"id":1,"title":"Lamp","price":{"amount":"12.50","currency":"EUR"}}`
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, isBuf := w.(*bufferedWriter)
		s.buffered = append(s.buffered, isBuf)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(current)))
		_, _ = io.WriteString(w, current)
	})
	mux.HandleFunc("GET /products", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, "["+current+","+current+"]")
	})
	mux.HandleFunc("POST /products", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.received = append(s.received, string(b))
		var p map[string]any
		if err := json.Unmarshal(b, &p); err != nil || p["title"] == nil {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(422)
			_, _ = io.WriteString(w, `{"title":"invalid product","status":422}`)
			return
		}
		p["id"] = 2
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(p)
	})
	mux.HandleFunc("GET /other", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"title":"untouched"}`)
	})
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "plain title")
	})
	s.h = n.Middleware(mux)
	return s
}

func (s *shop) do(t *testing.T, method, target, ver, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if ver != "" {
		r.Header.Set("Stripe-Version", ver)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func TestThreeVersionsOneHandler(t *testing.T) {
	t.Parallel()
	s := setupShop(t, nil)
	want := map[string]string{
		"2025-01-01": `{"id":1,"title":"Lamp","price":{"amount":"12.50","currency":"EUR"}}`,
		"2024-06-01": `{"id":1,"name":"Lamp","price":{"amount":"12.50","currency":"EUR"}}`,
		"2024-01-01": `{"id":1,"name":"Lamp","price_cents":1250}`,
	}
	for ver, body := range want {
		w := s.do(t, "GET", "/products/1", ver, "")
		require.Equal(t, 200, w.Code, ver)
		require.JSONEq(t, body, w.Body.String(), ver)
		require.Equal(t, strconv.Itoa(w.Body.Len()), w.Header().Get("Content-Length"), "Content-Length fits the converted body")

		w = s.do(t, "GET", "/products", ver, "")
		require.JSONEq(t, "["+body+","+body+"]", w.Body.String(), ver)
	}
	require.ElementsMatch(t, []bool{false, true, true}, s.buffered, "the newest version is not buffered")
}

func TestRequestConversion(t *testing.T) {
	t.Parallel()
	s := setupShop(t, nil)
	w := s.do(t, "POST", "/products", "2024-01-01", `{"name":"Desk","price_cents":9900}`)
	require.Equal(t, 201, w.Code, w.Body.String())
	require.JSONEq(t, `{"title":"Desk","price":{"amount":"99.00","currency":"EUR"}}`, s.received[0], "the handler sees the newest shape")
	require.JSONEq(t, `{"id":2,"name":"Desk","price_cents":9900}`, w.Body.String(), "the client gets its own shape")

	w = s.do(t, "POST", "/products", "2024-06-01", `{"name":"Desk","price":{"amount":"1.00","currency":"EUR"}}`)
	require.Equal(t, 201, w.Code)
	require.JSONEq(t, `{"title":"Desk","price":{"amount":"1.00","currency":"EUR"}}`, s.received[1])
	require.JSONEq(t, `{"id":2,"name":"Desk","price":{"amount":"1.00","currency":"EUR"}}`, w.Body.String())
}

func TestConversionEdges(t *testing.T) {
	t.Parallel()
	s := setupShop(t, nil)

	// A request body the change cannot convert: 400 problem, handler not called.
	w := s.do(t, "POST", "/products", "2024-01-01", `{"name":"Desk","price_cents":"lots"}`)
	p := problemOf(t, w, 400)
	require.Equal(t, ProblemConversion, p["type"])
	require.Contains(t, p["detail"], "price_cents must be a number")
	require.Empty(t, s.received)

	// Invalid JSON goes to the handler untouched, whose problem+json answer is not converted.
	w = s.do(t, "POST", "/products", "2024-01-01", `{"name":`)
	require.Equal(t, 422, w.Code)
	require.Equal(t, `{"name":`, s.received[0])
	require.JSONEq(t, `{"title":"invalid product","status":422}`, w.Body.String())

	// Routes limit a change; non-JSON is passed on.
	require.JSONEq(t, `{"title":"untouched"}`, s.do(t, "GET", "/other", "2024-01-01", "").Body.String())
	require.Equal(t, "plain title", s.do(t, "GET", "/text", "2024-01-01", "").Body.String())
}

func TestConversionLimitsAndFailures(t *testing.T) {
	t.Parallel()
	small := setupShop(t, &Config{MaxBodyBytes: 40})
	w := small.do(t, "POST", "/products", "2024-01-01", `{"name":"a very long desk name indeed","price_cents":1}`)
	problemOf(t, w, 413)
	w = small.do(t, "GET", "/products/1", "2024-01-01", "")
	p := problemOf(t, w, 500)
	require.Contains(t, p["detail"], "larger than 40 bytes")

	n, err := New([]Spec{{Version: "1"}, {Version: "2", Changes: []Change{{
		Description: "broken downgrade",
		Response:    func(*http.Request, int, any) (any, error) { return nil, errors.New("no way back") },
	}}}}, nil)
	require.NoError(t, err)
	h := n.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"a":1}`)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, withHeader("/", "Api-Version", "1"))
	p = problemOf(t, rec, 500)
	require.Contains(t, p["detail"], "broken downgrade: no way back")

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, withHeader("/", "Api-Version", "2"))
	require.Equal(t, `{"a":1}`, rec.Body.String(), "the newest version is never converted")
}

func TestEachObject(t *testing.T) {
	t.Parallel()
	count := 0
	inc := func(map[string]any) error { count++; return nil }
	require.NoError(t, EachObject(map[string]any{}, inc))
	require.NoError(t, EachObject([]any{map[string]any{}, "x", map[string]any{}}, inc))
	require.NoError(t, EachObject("scalar", inc))
	require.Equal(t, 3, count)
	stop := errors.New("stop")
	require.ErrorIs(t, EachObject([]any{map[string]any{}, map[string]any{}}, func(map[string]any) error { return stop }), stop)
}

func TestIsJSON(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"application/json": true, "Application/JSON; charset=utf-8": true, "application/vnd.acme.v2+json": true,
		"application/problem+json": false, "text/plain": false, "": false, "text/json+json": false,
	} {
		require.Equal(t, want, isJSON(ct), ct)
	}
}

// TestConvertedResponseOverRealServer: a converted response still supports 103 Early Hints,
// http.ResponseController (Flush is absorbed, deadlines reach the connection) over a real server.
func TestConvertedResponseOverRealServer(t *testing.T) {
	t.Parallel()
	everywhere := titleRename
	everywhere.Routes = nil
	n, err := New([]Spec{{Version: "1"}, {Version: "2", Changes: []Change{everywhere}}}, &Config{Readers: []Reader{Path("/api")}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":`+r.PathValue("id")+`,`)
		if err := rc.Flush(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, _ = io.WriteString(w, `"title":"Lamp"}`)
	})
	srv := httptest.NewServer(n.Middleware(mux))
	t.Cleanup(srv.Close)
	for ver, want := range map[string]string{"v1": `{"id":7,"name":"Lamp"}`, "v2": `{"id":7,"title":"Lamp"}`} {
		resp, err := srv.Client().Get(srv.URL + "/api/" + ver + "/products/7")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, 200, resp.StatusCode, string(body))
		require.JSONEq(t, want, string(body), ver)
	}
}
