package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/buttress-go/buttress/secure"
)

// auditor probes one site.
type auditor struct {
	client  *http.Client
	target  *url.URL
	httpURL *url.URL // nil when the target itself is plain HTTP
	forged  string
	out     []secure.Finding
}

func (a *auditor) add(id string, sev secure.Severity, format string, args ...any) {
	a.out = append(a.out, secure.Finding{ID: id, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// audit runs every probe. It fails only when the target cannot be fetched at all.
func (a *auditor) audit(ctx context.Context) ([]secure.Finding, error) {
	resp, err := a.do(ctx, "GET", a.target.String(), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", a.target, err)
	}
	secureSite := a.target.Scheme == "https"
	if secureSite {
		a.checkHSTS(resp.Header)
	} else {
		a.add("W008", secure.Error, "%s is plain HTTP: audit the https:// URL, and redirect HTTP to it", a.target)
	}
	a.checkHeaders(resp.Header)
	a.checkCookies(resp, secureSite)
	if a.httpURL != nil {
		a.checkRedirect(ctx)
	}
	a.checkForgedHost(ctx)
	a.checkCSRF(ctx, secureSite)
	slices.SortStableFunc(a.out, func(x, y secure.Finding) int { return strings.Compare(x.ID, y.ID) })
	return a.out, nil
}

func (a *auditor) do(ctx context.Context, method, target string, hdr map[string]string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "buttress-check")
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp, nil
}

var maxAgeRe = regexp.MustCompile(`(?i)(?:^|;)\s*max-age\s*=\s*"?(\d+)"?`)

func (a *auditor) checkHSTS(h http.Header) {
	v := h.Get("Strict-Transport-Security")
	if v == "" {
		a.add("W004", secure.Error, "no Strict-Transport-Security header on the HTTPS response")
		return
	}
	m := maxAgeRe.FindStringSubmatch(v)
	if m == nil {
		a.add("W004", secure.Error, "Strict-Transport-Security %q has no max-age", v)
		return
	}
	age, _ := strconv.ParseInt(m[1], 10, 64)
	lower := strings.ToLower(v)
	sub, preload := strings.Contains(lower, "includesubdomains"), strings.Contains(lower, "preload")
	if age == 0 {
		a.add("W004", secure.Error, "Strict-Transport-Security has max-age=0: HSTS is switched off")
		return
	}
	if !sub {
		a.add("W005", secure.Warning, "Strict-Transport-Security does not include subdomains")
	}
	if !preload {
		a.add("W021", secure.Warning, "Strict-Transport-Security has no preload")
	} else if age < 31536000 || !sub {
		a.add("B002", secure.Error, "HSTS preload needs max-age >= 31536000 and includeSubDomains (got %q)", v)
	}
}

var validReferrer = map[string]bool{
	"no-referrer": true, "no-referrer-when-downgrade": true, "origin": true, "origin-when-cross-origin": true,
	"same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true,
}

func (a *auditor) checkHeaders(h http.Header) {
	if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		a.add("W006", secure.Error, "X-Content-Type-Options: nosniff is missing")
	}
	csp := h.Get("Content-Security-Policy")
	frameAncestors := strings.Contains(strings.ToLower(csp), "frame-ancestors")
	switch xfo := strings.ToUpper(strings.TrimSpace(h.Get("X-Frame-Options"))); {
	case xfo == "" && !frameAncestors:
		a.add("W002", secure.Error, "neither X-Frame-Options nor CSP frame-ancestors: pages can be framed (clickjacking)")
	case xfo != "" && xfo != "DENY" && !frameAncestors:
		a.add("W019", secure.Warning, "X-Frame-Options is %q, not DENY", xfo)
	}
	if rp := h.Get("Referrer-Policy"); rp == "" {
		a.add("W022", secure.Warning, "Referrer-Policy is missing (browsers fall back to strict-origin-when-cross-origin)")
	} else {
		for p := range strings.SplitSeq(rp, ",") {
			if !validReferrer[strings.ToLower(strings.TrimSpace(p))] {
				a.add("E023", secure.Error, "Referrer-Policy %q has an invalid value %q", rp, strings.TrimSpace(p))
			}
		}
	}
	if h.Get("Cross-Origin-Opener-Policy") == "" {
		a.add("R001", secure.Info, "Cross-Origin-Opener-Policy is missing")
	}
	if csp == "" && h.Get("Content-Security-Policy-Report-Only") == "" {
		a.add("B006", secure.Info, "no Content-Security-Policy")
	}
	if s := h.Get("Server"); strings.ContainsAny(s, "0123456789") {
		a.add("R002", secure.Info, "Server header %q discloses a version", s)
	}
	if x := h.Get("X-Powered-By"); x != "" {
		a.add("R002", secure.Info, "X-Powered-By header %q discloses the stack", x)
	}
}

func (a *auditor) checkCookies(resp *http.Response, secureSite bool) {
	for _, line := range resp.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			a.add("R003", secure.Warning, "Set-Cookie %q does not parse: %v", line, err)
			continue
		}
		if secureSite && !c.Secure {
			a.add("W012", secure.Error, "cookie %q is sent without Secure", c.Name)
		}
		if !c.HttpOnly {
			a.add("W013", secure.Warning, "cookie %q is readable by scripts (no HttpOnly); fine only if scripts must read it", c.Name)
		}
		if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
			a.add("R004", secure.Warning, "cookie %q has no SameSite attribute", c.Name)
		}
		if c.SameSite == http.SameSiteNoneMode && !c.Secure {
			a.add("R004", secure.Error, "cookie %q has SameSite=None without Secure: browsers reject it", c.Name)
		}
	}
}

func (a *auditor) checkRedirect(ctx context.Context) {
	resp, err := a.do(ctx, "GET", a.httpURL.String(), nil, nil)
	if err != nil {
		a.add("R005", secure.Info, "plain HTTP %s is not reachable (%v): nothing to redirect", a.httpURL, err)
		return
	}
	loc, _ := resp.Location()
	switch {
	case resp.StatusCode < 300 || resp.StatusCode > 399 || loc == nil:
		a.add("W008", secure.Error, "plain HTTP %s answers %d instead of redirecting to HTTPS", a.httpURL, resp.StatusCode)
	case loc.Scheme != "https":
		a.add("W008", secure.Error, "plain HTTP %s redirects to %s, which is not HTTPS", a.httpURL, loc)
	default:
		if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusSeeOther {
			a.add("R006", secure.Warning, "the HTTP to HTTPS redirect is temporary (%d); use 301 or 308", resp.StatusCode)
		}
		if !strings.EqualFold(loc.Hostname(), a.target.Hostname()) {
			a.add("R007", secure.Warning, "plain HTTP redirects to another host: %s", loc)
		}
	}
}

func (a *auditor) checkForgedHost(ctx context.Context) {
	resp, err := a.do(ctx, "GET", a.target.String(), map[string]string{"Host": a.forged}, nil)
	if err != nil {
		a.add("R008", secure.Info, "the forged-Host probe failed: %v", err)
	} else {
		loc := resp.Header.Get("Location")
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && strings.Contains(strings.ToLower(loc), strings.ToLower(a.forged)):
			a.add("R009", secure.Error, "a forged Host %q is redirected to itself (%s): host header injection", a.forged, loc)
		case resp.StatusCode < 400:
			a.add("W020", secure.Error, "a forged Host %q is served (%d): the allowed-hosts list is not enforced", a.forged, resp.StatusCode)
		}
	}
	resp, err = a.do(ctx, "GET", a.target.String(), map[string]string{"X-Forwarded-Host": a.forged}, nil)
	if err == nil && strings.Contains(strings.ToLower(resp.Header.Get("Location")), strings.ToLower(a.forged)) {
		a.add("R010", secure.Error, "X-Forwarded-Host from an outside client is believed: the response redirects to %s", resp.Header.Get("Location"))
	}
}

func (a *auditor) checkCSRF(ctx context.Context, secureSite bool) {
	evil := "https://" + a.forged
	probes := []struct {
		id, what string
		hdr      map[string]string
	}{
		{"W003", "a cross-site POST (Sec-Fetch-Site: cross-site)", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil}},
		{"W003", "a cross-origin POST from a browser without Sec-Fetch-Site", map[string]string{"Origin": evil}},
	}
	if secureSite {
		probes = append(probes, struct {
			id, what string
			hdr      map[string]string
		}{"R011", "a POST whose Origin is the site's own host over http:// (CVE-2025-47909 class)", map[string]string{"Origin": "http://" + a.target.Host}})
	}
	for _, p := range probes {
		p.hdr["Content-Type"] = "application/x-www-form-urlencoded"
		resp, err := a.do(ctx, "POST", a.target.String(), p.hdr, strings.NewReader("buttress_check=1"))
		switch {
		case err != nil:
			a.add("R012", secure.Info, "%s could not be sent: %v", p.what, err)
		case resp.StatusCode == http.StatusForbidden:
			// rejected, as it should be
		case resp.StatusCode < 400:
			a.add(p.id, secure.Error, "%s was accepted (%d): CSRF protection is missing", p.what, resp.StatusCode)
		default:
			a.add("R012", secure.Info, "%s got %d, not 403: inconclusive; point the URL at a page that accepts POST", p.what, resp.StatusCode)
		}
	}
}
