package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/buttress-go/buttress/secure"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("buttress-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	httpURL := fs.String("http", "", "plain-HTTP URL to test the redirect on (default: URL with http:// and no port)")
	caFile := fs.String("cacert", "", "PEM certificates to trust besides the system roots")
	forged := fs.String("host", "buttress-check.invalid", "the forged Host header to send")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout")
	strict := fs.Bool("strict", false, "exit 1 on warnings too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: buttress-check [flags] URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	a, err := newAuditor(fs.Arg(0), *httpURL, *caFile, *forged, *timeout)
	if err != nil {
		fmt.Fprintln(stderr, "buttress-check:", err)
		return 2
	}
	findings, err := a.audit(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "buttress-check:", err)
		return 2
	}
	var nErr, nWarn int
	for _, f := range findings {
		fmt.Fprintln(stdout, f)
		switch f.Severity {
		case secure.Error:
			nErr++
		case secure.Warning:
			nWarn++
		}
	}
	fmt.Fprintf(stdout, "%s: %d errors, %d warnings\n", a.target, nErr, nWarn)
	if nErr > 0 || *strict && nWarn > 0 {
		return 1
	}
	return 0
}

func newAuditor(target, httpURL, caFile, forged string, timeout time.Duration) (*auditor, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("URL %q must be an absolute http:// or https:// URL", target)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	a := &auditor{target: u, forged: forged}
	if httpURL != "" {
		if a.httpURL, err = url.Parse(httpURL); err != nil || a.httpURL.Scheme != "http" || a.httpURL.Host == "" {
			return nil, fmt.Errorf("-http %q must be an absolute http:// URL", httpURL)
		}
	} else if u.Scheme == "https" {
		hu := *u
		hu.Scheme, hu.Host = "http", u.Hostname()
		if strings.Contains(hu.Host, ":") {
			hu.Host = "[" + hu.Host + "]" // IPv6 literal
		}
		a.httpURL = &hu
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("-cacert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("-cacert: no PEM certificate in " + caFile)
		}
		tlsCfg.RootCAs = pool
	}
	a.client = &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment},
		// Never follow: the redirects are what is audited.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return a, nil
}
