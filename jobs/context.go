package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	traceparentKey
)

// WithRequestID returns ctx carrying a request ID under this package's own key. It is the default
// of Config.WithRequestID; applications that already have a request-ID accessor set the Config
// hooks instead.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request ID stored by [WithRequestID] and whether one is set.
func RequestIDFromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(requestIDKey).(string)
	return id, ok && id != ""
}

// RequestID returns the request ID stored by [WithRequestID], or "".
func RequestID(ctx context.Context) string {
	id, _ := RequestIDFromContext(ctx)
	return id
}

// WithTraceparent returns ctx carrying a W3C traceparent header value under this package's key.
func WithTraceparent(ctx context.Context, traceparent string) context.Context {
	return context.WithValue(ctx, traceparentKey, traceparent)
}

// TraceparentFromContext returns the traceparent stored by [WithTraceparent] and whether one is
// set.
func TraceparentFromContext(ctx context.Context) (string, bool) {
	tp, ok := ctx.Value(traceparentKey).(string)
	return tp, ok && tp != ""
}

// Traceparent returns the traceparent stored by [WithTraceparent], or "".
func Traceparent(ctx context.Context) string {
	tp, _ := TraceparentFromContext(ctx)
	return tp
}

// MetadataKey is the key under which jobs keeps its data in a job's metadata object (River
// reserves "river:"-prefixed keys and a few bare ones such as "output" and "snoozes").
const MetadataKey = "buttress"

// jobMeta is what jobs stores under MetadataKey.
type jobMeta struct {
	RequestID   string     `json:"request_id,omitempty"`
	Traceparent string     `json:"traceparent,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	// Next holds the IDs of the pending chain steps after this job, in order.
	Next []int64 `json:"next,omitempty"`
}

var metaKeyQuoted = []byte(`"` + MetadataKey + `"`)

func parseMeta(metadata []byte) (jobMeta, error) {
	var m jobMeta
	if !bytes.Contains(metadata, metaKeyQuoted) {
		return m, nil
	}
	var wrap struct {
		M jobMeta `json:"buttress"`
	}
	err := json.Unmarshal(metadata, &wrap)
	return wrap.M, err
}

// updateMeta applies f to the jobs metadata inside metadata (a JSON object, possibly empty) and
// returns the re-encoded object; other keys are preserved.
func updateMeta(metadata []byte, f func(*jobMeta)) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(metadata)) > 0 {
		if err := json.Unmarshal(metadata, &obj); err != nil {
			return nil, err
		}
	}
	var m jobMeta
	if raw, ok := obj[MetadataKey]; ok {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
	}
	f(&m)
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	obj[MetadataKey] = raw
	return json.Marshal(obj)
}

// ExpireAt returns a copy of opts (nil allowed) whose job is cancelled instead of run if no
// worker has started it by deadline. It overrides the kind's KindPolicy.Expiry.
func ExpireAt(opts *river.InsertOpts, deadline time.Time) *river.InsertOpts {
	var o river.InsertOpts
	if opts != nil {
		o = *opts
	}
	d := deadline.UTC()
	md, err := updateMeta(o.Metadata, func(m *jobMeta) { m.ExpiresAt = &d })
	if err != nil {
		// Invalid caller metadata: leave it for River to reject at insert with its own error.
		return &o
	}
	o.Metadata = md
	return &o
}

// insertMiddleware stamps request ID, traceparent and kind expiry into each job's metadata.
type insertMiddleware struct {
	river.MiddlewareDefaults
	c *Client
}

var _ rivertype.JobInsertMiddleware = (*insertMiddleware)(nil)

func (m *insertMiddleware) InsertMany(ctx context.Context, manyParams []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	c := m.c
	rid := c.cfg.RequestID(ctx)
	tp := c.cfg.Traceparent(ctx)
	var now time.Time
	for _, p := range manyParams {
		expiry := c.cfg.Kinds[p.Kind].Expiry
		if rid == "" && tp == "" && expiry == 0 {
			continue
		}
		if expiry > 0 && now.IsZero() {
			now = time.Now()
		}
		md, err := updateMeta(p.Metadata, func(jm *jobMeta) {
			if jm.RequestID == "" {
				jm.RequestID = rid
			}
			if jm.Traceparent == "" {
				jm.Traceparent = tp
			}
			if expiry > 0 && jm.ExpiresAt == nil {
				base := now
				if p.ScheduledAt != nil && p.ScheduledAt.After(now) {
					base = *p.ScheduledAt
				}
				exp := base.Add(expiry).UTC()
				jm.ExpiresAt = &exp
			}
		})
		if err != nil {
			return nil, wrapOpts(p.Kind, "metadata is not a JSON object: %v", err)
		}
		p.Metadata = md
	}
	return doInner(ctx)
}
