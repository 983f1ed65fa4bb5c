package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// config is the shop's configuration, read from environment variables. Every variable has a
// default that runs the shop with zero setup; the production ones are marked.
type config struct {
	// Addr is where the server listens. SHOP_ADDR, default 127.0.0.1:8080 (":0" picks a free port).
	Addr string
	// DatabaseURL is the PostgreSQL primary. DATABASE_URL; empty (default) runs on SQLite.
	DatabaseURL string
	// ReplicaURLs are the PostgreSQL streaming replicas. DATABASE_REPLICA_URLS, comma-separated.
	ReplicaURLs []string
	// RedisURL is the Redis server for the cache and rate limits. REDIS_URL (redis://host:port);
	// empty (default) keeps both in memory.
	RedisURL string
	// SQLitePath is the SQLite file used without DATABASE_URL. SHOP_SQLITE, default shop.db in the
	// working directory.
	SQLitePath string
	// AllowedHosts are the host names the shop answers to. ALLOWED_HOSTS, comma-separated, Django
	// grammar (".example.com" matches subdomains); default localhost,127.0.0.1.
	AllowedHosts []string
	// TrustedProxies are CIDRs of reverse proxies whose X-Forwarded-* headers are believed.
	// TRUSTED_PROXIES, comma-separated; default none.
	TrustedProxies []string
	// SecretKey signs cookies, page cursors and read-your-writes tokens. SECRET_KEY; by default a
	// random key per start (sessions and cursors then do not survive a restart — set it in
	// production).
	SecretKey []byte
	// AdminPassword is the admin login's password. ADMIN_PASSWORD, default "admin" (change it).
	AdminPassword string
	// APIRate is the per-IP API limit per minute. SHOP_API_RATE, default 60.
	APIRate int
	// APIUserRate is the per-user (X-Customer header) API limit per minute. SHOP_API_USER_RATE,
	// default 600.
	APIUserRate int
	// Sunset is when /api/v1 goes away. SHOP_V1_SUNSET (RFC 3339), default 2027-06-30.
	Sunset time.Time
	// ShutdownTimeout bounds the graceful part of a SIGTERM: the HTTP drain, then the jobs' soft
	// stop, share it; running jobs are then cancelled and given up to 5s more (jobs'
	// HardStopTimeout). SHOP_SHUTDOWN_TIMEOUT, default 10s.
	ShutdownTimeout time.Duration
	// BestSellersCron schedules the best-sellers job (five-field cron, UTC).
	// SHOP_BESTSELLERS_CRON, default "* * * * *" (every minute).
	BestSellersCron string
	// ConfirmWork is how long the order-confirmation job takes to "send its e-mail".
	// SHOP_CONFIRM_WORK, default 200ms.
	ConfirmWork time.Duration
	// RedisPrefix starts every Redis key the shop writes. SHOP_REDIS_PREFIX, default "shop:".
	RedisPrefix string
	// LogLevel is the log level with per-component overrides, e.g. "info,dbrouter=debug".
	// LOG_LEVEL, default "info".
	LogLevel string
	// LogFormat is "json" (default) or "console". LOG_FORMAT.
	LogFormat string
	// SSLRedirect redirects HTTP to HTTPS and marks cookies Secure; turn it on when the shop is
	// served over HTTPS (HSTS is sent on HTTPS responses either way). SHOP_SSL_REDIRECT=1.
	SSLRedirect bool
	// RandomSecret is true when SecretKey was generated because SECRET_KEY was unset.
	RandomSecret bool
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:            or(getenv("SHOP_ADDR"), "127.0.0.1:8080"),
		DatabaseURL:     getenv("DATABASE_URL"),
		ReplicaURLs:     list(getenv("DATABASE_REPLICA_URLS")),
		RedisURL:        getenv("REDIS_URL"),
		SQLitePath:      or(getenv("SHOP_SQLITE"), "shop.db"),
		AllowedHosts:    list(or(getenv("ALLOWED_HOSTS"), "localhost,127.0.0.1")),
		TrustedProxies:  list(getenv("TRUSTED_PROXIES")),
		AdminPassword:   or(getenv("ADMIN_PASSWORD"), "admin"),
		LogFormat:       or(getenv("LOG_FORMAT"), "json"),
		LogLevel:        or(getenv("LOG_LEVEL"), "info"),
		RedisPrefix:     or(getenv("SHOP_REDIS_PREFIX"), "shop:"),
		BestSellersCron: or(getenv("SHOP_BESTSELLERS_CRON"), "* * * * *"),
	}
	var err error
	if c.APIRate, err = intVar(getenv, "SHOP_API_RATE", 60); err != nil {
		return c, err
	}
	if c.APIUserRate, err = intVar(getenv, "SHOP_API_USER_RATE", 600); err != nil {
		return c, err
	}
	if c.ShutdownTimeout, err = durVar(getenv, "SHOP_SHUTDOWN_TIMEOUT", 10*time.Second); err != nil {
		return c, err
	}
	if c.ConfirmWork, err = durVar(getenv, "SHOP_CONFIRM_WORK", 200*time.Millisecond); err != nil {
		return c, err
	}
	sunset := or(getenv("SHOP_V1_SUNSET"), "2027-06-30T00:00:00Z")
	if c.Sunset, err = time.Parse(time.RFC3339, sunset); err != nil {
		return c, fmt.Errorf("SHOP_V1_SUNSET: %w", err)
	}
	if s := getenv("SECRET_KEY"); s != "" {
		if len(s) < 32 {
			return c, fmt.Errorf("SECRET_KEY must be at least 32 characters")
		}
		c.SecretKey = []byte(s)
	} else {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return c, err
		}
		c.SecretKey = []byte(hex.EncodeToString(b))
		c.RandomSecret = true
	}
	c.SSLRedirect = getenv("SHOP_SSL_REDIRECT") == "1"
	if c.LogFormat != "json" && c.LogFormat != "console" {
		return c, fmt.Errorf("LOG_FORMAT must be json or console, not %q", c.LogFormat)
	}
	return c, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func intVar(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive integer, not %q", name, v)
	}
	return n, nil
}

func durVar(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration like 30s, not %q", name, v)
	}
	return d, nil
}
