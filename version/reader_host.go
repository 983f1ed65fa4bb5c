package version

import (
	"net/http"
	"strings"
)

// HostReader reads the version from the first label of the host name, before a fixed suffix:
// with the suffix "api.example.com", "v2.api.example.com" asks for version 2. As with paths, a
// label counts as a version when it starts with a digit or "v" and a digit; "api.example.com"
// and "www.api.example.com" name no version. A port is ignored. In
// "eu.v2.api.example.com" the label right before the suffix, "v2", is the version.
type HostReader struct {
	suffix string // lower case, without a leading dot
}

var _ Reader = (*HostReader)(nil)

// Host returns a reader for the label right before suffix ("api.example.com"). With an empty
// suffix the first label of any host name is read (IP addresses are never versions).
func Host(suffix string) *HostReader {
	return &HostReader{suffix: strings.ToLower(strings.Trim(suffix, "."))}
}

// Source returns {SourceHost, ""}.
func (h *HostReader) Source() Source { return Source{Kind: SourceHost} }

// Read returns the version label of r.Host, or "".
func (h *HostReader) Read(r *http.Request) (string, error) {
	host := r.Host
	if strings.HasPrefix(host, "[") { // IPv6 literal: never a versioned name
		return "", nil
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	var label string
	if h.suffix == "" {
		if strings.Trim(host, "0123456789.") == "" { // an IPv4 address
			return "", nil
		}
		label, _, _ = strings.Cut(host, ".")
	} else {
		n := len(host) - len(h.suffix)
		if n < 2 || host[n-1] != '.' || !strings.EqualFold(host[n:], h.suffix) {
			return "", nil
		}
		label = host[:n-1]
		if i := strings.LastIndexByte(label, '.'); i >= 0 {
			label = label[i+1:]
		}
	}
	if !looksLikeVersion(label) {
		return "", nil
	}
	return label, nil
}
