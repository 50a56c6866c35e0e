// Package audit keeps the append-only audit log: every write, every sign-in attempt and every
// reveal of personal data, with who, when, from where, what, and the record before and after.
//
// Entries are written in the same transaction as the change they describe, so a change and its
// audit row commit or roll back together.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"linli/internal/db"
)

// Actor is who is acting and from where; the auth middleware puts it in the request context.
type Actor struct {
	UserID    int64
	Username  string
	IP        string
	RequestID string
}

type actorKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or a zero Actor for system work (jobs, the demo builder).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Entry is one audit row. Before and After are marshalled to JSON; pass records whose personal
// numbers are already masked.
type Entry struct {
	Action     string // e.g. "resident.update", "auth.login_failed", "pii.reveal"
	ObjectType string
	ObjectID   int64
	RegionID   int64
	Detail     string
	Before     any
	After      any
}

// Record appends e to the audit log inside tx, with the actor from ctx.
func Record(ctx context.Context, q db.Querier, e Entry) error {
	a := ActorFrom(ctx)
	before, err := marshal(e.Before)
	if err != nil {
		return err
	}
	after, err := marshal(e.After)
	if err != nil {
		return err
	}
	var userID, regionID any
	if a.UserID != 0 {
		userID = a.UserID
	}
	if e.RegionID != 0 {
		regionID = e.RegionID
	}
	objectID := ""
	if e.ObjectID != 0 {
		objectID = strconv.FormatInt(e.ObjectID, 10)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO audit_log
		(at, user_id, username, ip, request_id, action, object_type, object_id, region_id, detail, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		time.Now().UTC(), userID, a.Username, a.IP, a.RequestID, e.Action, e.ObjectType, objectID, regionID,
		e.Detail, before, after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit: marshal: %w", err)
	}
	return string(b), nil
}
