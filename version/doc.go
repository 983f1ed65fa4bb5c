// Package version negotiates API versions: it reads the version a request asks for from the
// path, a header, the Accept media type, the query or the host name (several at once), rejects
// bad versions with problem+json, signals deprecation and sunset with the standard headers, and
// lets one handler, written for the newest version, serve every older one.
//
// # Negotiating
//
// A Negotiator is built from the supported versions (Spec) and an optional Config naming the
// readers. Its Middleware resolves each request's version, puts it on the context
// (FromContext) and, for the path reader, hands the router the path without the version:
//
//	api, err := version.New([]version.Spec{
//		{Version: "1", Deprecated: dep, Sunset: sunset, DeprecationLink: "https://example.com/v1-retired"},
//		{Version: "2"},
//	}, &version.Config{
//		Readers: []version.Reader{version.Path("/api"), version.Header("Api-Version")},
//	})
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /api/products", listProducts) // serves /api/v1/products and /api/v2/products
//	http.ListenAndServe(addr, api.Middleware(mux))
//
// # Readers
//
//   - Path("/api"): /api/v2/products. A segment is a version when it is "v" and a digit, or
//     digits, dots and dashes ("2", "2024-06-01"); "/api/products" and "/api/2fa" are not.
//   - Header("Api-Version"): Api-Version: 2.
//   - MediaType("acme"): Accept: application/json; version=2, or application/vnd.acme.v2+json.
//   - Query("version"): ?version=2.
//   - Host("api.example.com"): v2.api.example.com.
//
// When enabled readers name different versions the request is ambiguous (400). When none names
// one, Config.Default applies (the newest version by default), or 400 when Config.Required is
// set. A reader that finds text it cannot parse never falls back to the default: the request is
// rejected.
//
// # Versions
//
// A Version is an integer ("1", "v2"), a major.minor ("2.1") or a date ("2024-06-01"), totally
// ordered by Compare. "2" and "2.0" name the same version. One Negotiator uses either numbers or
// dates.
//
// # Errors
//
// Every rejection is an *Error wrapping a sentinel (ErrMalformed, ErrUnsupported,
// ErrAmbiguous, ErrRequired, ErrSunset) and is answered as application/problem+json (RFC 9457)
// listing supported_versions. An unknown or malformed version answers 404 when it came from the
// path or host (there is no such resource), 406 from the Accept media type (DRF's choice, and
// what Accept means) and 400 from a header or the query; ambiguous and missing versions answer
// 400. Responses Vary on every header a reader looks at, errors included, so caches never serve
// one version's answer to another.
//
// # Lifecycle
//
// Every response carries api-supported-versions and api-deprecated-versions (as ASP.NET API
// Versioning does). A deprecated version's responses carry "Deprecation: @<unix>" (RFC 9745),
// "Sunset: <HTTP-date>" (RFC 8594) and Link headers with rel="deprecation" and rel="sunset".
// With Config.GoneAfterSunset a version past its sunset answers 410 Gone.
//
// # One handler, many versions
//
// Following Stripe, a Spec lists the Changes that separate it from the previous version. A
// handler is written for the newest version only; when a client asks for an older one the
// Middleware converts the JSON request body up to the newest shape and the JSON response down to
// the requested one, change by change. For endpoints whose behaviour (not just shape) changed,
// Router picks a handler per version, inheriting: a handler registered for version 2 also serves
// 3 and later until another is registered.
//
// # Departures from the design note
//
// Unknown or malformed versions in the host name answer 404, as DRF's HostNameVersioning does
// (the note fixes path, media type, header and query only). A Negotiator refuses to mix numbers
// and dates, which would make the order surprising. Responses of converted routes are buffered up
// to Config.MaxBodyBytes.
package version
