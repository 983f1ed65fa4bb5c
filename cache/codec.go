package cache

import (
	"encoding/json"
	"fmt"
)

// Codec serialises values for stores that keep bytes (rediscache). Values of type []byte are
// stored as they are, without the codec, so a Cache[[]byte] (serialised HTTP responses, say)
// never pays for encoding.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec (encoding/json).
type JSONCodec struct{}

// Marshal calls json.Marshal.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal calls json.Unmarshal.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

var _ Codec = JSONCodec{}

// typedCodec adapts a Codec to one value type V.
type typedCodec[V any] struct{ c Codec }

var _ ValueCodec = typedCodec[int]{}

func (t typedCodec[V]) Encode(v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	if _, ok := v.(V); !ok {
		return nil, fmt.Errorf("%w: value of type %T, want %T", ErrEncode, v, *new(V))
	}
	b, err := t.c.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncode, err)
	}
	return b, nil
}

func (t typedCodec[V]) Decode(b []byte) (any, error) {
	var v V
	if _, ok := any(v).([]byte); ok {
		return any(append([]byte(nil), b...)), nil
	}
	if err := t.c.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return v, nil
}
