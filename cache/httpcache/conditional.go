package httpcache

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// etagMatches reports whether an If-None-Match field value matches etag under the weak
// comparison RFC 9110 §13.1.2 prescribes for If-None-Match. The value is "*" or a
// comma-separated list of entity-tags ([W/]"opaque", opaque without DQUOTE, controls or
// spaces). A malformed list matches nothing from the first malformed member on, so the full
// response is sent: a bad header never produces a 304 it did not ask for.
func etagMatches(header, etag string) bool {
	want, ok := opaqueTag(etag)
	if !ok {
		return false
	}
	s := header
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return false
		}
		if s[0] == '*' {
			rest := strings.TrimLeft(s[1:], " \t")
			return rest == "" || rest[0] == ','
		}
		s = strings.TrimPrefix(s, "W/")
		if s == "" || s[0] != '"' {
			return false
		}
		end := 1
		for end < len(s) && s[end] != '"' {
			c := s[end]
			if c < 0x21 || c == 0x7f {
				return false
			}
			end++
		}
		if end == len(s) {
			return false
		}
		if s[1:end] == want {
			return true
		}
		s = s[end+1:]
		if t := strings.TrimLeft(s, " \t"); t != "" && t[0] != ',' {
			return false
		}
	}
}

// opaqueTag returns the opaque part of an entity-tag, without W/ and quotes.
func opaqueTag(etag string) (string, bool) {
	etag = strings.TrimPrefix(etag, "W/")
	if len(etag) < 2 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		return "", false
	}
	return etag[1 : len(etag)-1], true
}

// notModified reports whether a GET or HEAD with r's conditional headers should get 304 for a
// response with the given ETag and Last-Modified values (RFC 9110 §13.2.2: If-None-Match, when
// present, decides and If-Modified-Since is ignored).
func notModified(r *http.Request, etag, lastModified string) bool {
	if inm, ok := r.Header["If-None-Match"]; ok {
		for _, v := range inm {
			if etagMatches(v, etag) {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastModified == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	mod, err := http.ParseTime(lastModified)
	if err != nil {
		return false
	}
	return !mod.After(since)
}

// strongETag returns a strong validator for body: a quoted, URL-safe SHA-256 prefix.
func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// addValidators gives a response about to be stored an ETag (a digest of its body) and a
// Last-Modified (the time it was generated) when the handler set none.
func addValidators(h http.Header, body []byte, now time.Time) {
	if _, ok := h["Etag"]; !ok {
		h["Etag"] = []string{strongETag(body)}
	}
	if _, ok := h["Last-Modified"]; !ok {
		h["Last-Modified"] = []string{now.UTC().Format(http.TimeFormat)}
	}
}
