package open311

// service_read.go: reading requests, tokens and updates, and posting an update.

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/errs"
)

// Query is a GET requests call as the spec names its parameters.
type Query struct {
	Jurisdiction string
	IDs          []string // service_request_id: overrides every other filter
	ServiceCodes []string
	Start, End   string // start_date, end_date
	// UpdatedAfter and UpdatedBefore filter on updated_datetime (FixMyStreet's extension).
	UpdatedAfter, UpdatedBefore string
	Statuses                    []string
}

// parseTime reads a W3C date-time; one without a zone, or a bare date, is in Asia/Shanghai.
func parseTime(name, v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		var t time.Time
		var err error
		if layout == time.RFC3339 {
			t, err = time.Parse(layout, v)
		} else {
			t, err = time.ParseInLocation(layout, v, clock.Shanghai())
		}
		if err == nil {
			return &t, nil
		}
	}
	return nil, bi(errs.Invalid, name+" 应为 W3C 日期时间，如 2026-12-05T09:30:00+08:00",
		name+" must be a W3C date-time such as 2026-12-05T09:30:00+08:00")
}

// filter turns a query into the cases' feed filter, with the spec's defaults and limits.
func (s *Service) filter(ctx context.Context, q Query, ar area) (cases.FeedFilter, bool, error) {
	f := cases.FeedFilter{RegionPath: ar.path, Limit: MaxRequests, WithComments: true}
	if len(q.IDs) > 0 {
		f.Numbers = q.IDs
		return f, true, nil
	}
	start, err := parseTime("start_date", q.Start)
	if err != nil {
		return f, false, err
	}
	end, err := parseTime("end_date", q.End)
	if err != nil {
		return f, false, err
	}
	switch {
	case start == nil && end == nil:
		now := s.now()
		from := now.Add(-DefaultSpan)
		start = &from
	case start == nil:
		from := end.Add(-DefaultSpan)
		start = &from
	case end != nil && end.Before(*start):
		return f, false, bi(errs.Invalid, "end_date 不能早于 start_date", "end_date is before start_date")
	case end != nil && end.Sub(*start) > DefaultSpan:
		return f, false, bi(errs.Invalid, "start_date 与 end_date 相距不能超过90天", "start_date to end_date may not span more than 90 days")
	}
	f.From, f.To = start, end
	if f.UpdatedFrom, err = parseTime("updated_after", q.UpdatedAfter); err != nil {
		return f, false, err
	}
	if f.UpdatedTo, err = parseTime("updated_before", q.UpdatedBefore); err != nil {
		return f, false, err
	}
	open, closed := false, false
	for _, st := range q.Statuses {
		switch strings.TrimSpace(st) {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			return f, false, bi(errs.Invalid, "status 只能为 open 或 closed", "status must be open or closed")
		}
	}
	if open != closed {
		f.Open = &open
	}
	if len(q.ServiceCodes) > 0 {
		leaves, _, err := s.leaves(ctx)
		if err != nil {
			return f, false, err
		}
		for _, code := range q.ServiceCodes {
			for i := range leaves {
				if serviceCode(&leaves[i]) == strings.TrimSpace(code) {
					f.CategoryIDs = append(f.CategoryIDs, leaves[i].ID)
				}
			}
		}
		if len(f.CategoryIDs) == 0 {
			return f, false, nil // no service of those codes: nothing to list
		}
	}
	return f, true, nil
}

// Requests lists requests in the key's region: by service_request_id, or by the filters.
func (s *Service) Requests(ctx context.Context, k *Key, q Query) ([]Request, error) {
	ar, err := s.area(ctx, q.Jurisdiction, k)
	if err != nil {
		return nil, err
	}
	f, ok, err := s.filter(ctx, q, ar)
	if err != nil || !ok {
		return []Request{}, err
	}
	return s.requests(ctx, f)
}

// Request returns one request as a list of one; unknown or outside the key's region is a 404.
func (s *Service) Request(ctx context.Context, k *Key, jurisdiction, id string) ([]Request, error) {
	out, err := s.Requests(ctx, k, Query{Jurisdiction: jurisdiction, IDs: []string{id}})
	if err == nil && len(out) == 0 {
		err = bi(errs.NotFound, "service_request_id 不存在", "service_request_id not found")
	}
	return out, err
}

func (s *Service) requests(ctx context.Context, f cases.FeedFilter) ([]Request, error) {
	feed, err := s.cases.Feed(ctx, f)
	if err != nil {
		return nil, err
	}
	codes, err := s.codes(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(feed))
	for i, c := range feed {
		ids[i] = c.ID
	}
	own, err := requestsOf(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(feed))
	for _, c := range feed {
		r := Request{ID: c.Number, Status: Status(c.State.Open()), ServiceName: leafName(c.CategoryName),
			ServiceCode: codes[c.CategoryID], Description: c.Description, Agency: c.Agency,
			Requested: Time{c.ReceivedAt}, Updated: Time{changed(c)}, Expected: At(c.HandleDeadline), Address: c.Address,
			Lat: Coord{c.Lat}, Long: Coord{c.Lon}, MediaURL: own[c.ID].MediaURL}
		if c.BuildingID != nil {
			r.AddressID = strconv.FormatInt(*c.BuildingID, 10)
		}
		for i := len(c.Notes) - 1; i >= 0; i-- {
			if c.Notes[i].Note != "" {
				r.StatusNotes = c.Notes[i].Note
				break
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// changed is a request's updated_datetime: the case's last change or its last public note.
func changed(c cases.FeedCase) time.Time {
	t := c.UpdatedAt
	for _, n := range c.Notes {
		if n.At.After(t) {
			t = n.At
		}
	}
	return t
}

// Token resolves a token to its service_request_id; only the key's region is searched.
func (s *Service) Token(ctx context.Context, k *Key, jurisdiction, token string) (*TokenAnswer, error) {
	ar, err := s.area(ctx, jurisdiction, k)
	if err != nil {
		return nil, err
	}
	number, err := requestByToken(ctx, s.db.R, strings.ToLower(strings.TrimSpace(token)))
	if err == nil {
		var feed []cases.FeedCase
		feed, err = s.cases.Feed(ctx, cases.FeedFilter{RegionPath: ar.path, Numbers: []string{number}, Limit: 1})
		if err == nil && len(feed) == 1 {
			return &TokenAnswer{ID: number, Token: token}, nil
		}
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return nil, bi(errs.NotFound, "token 不存在", "token not found")
}

// Updates lists the public steps of the requests in the key's region between start and end
// (FixMyStreet's service request updates), oldest first; by default the last 90 days.
func (s *Service) Updates(ctx context.Context, k *Key, jurisdiction, start, end string) ([]Update, error) {
	ar, err := s.area(ctx, jurisdiction, k)
	if err != nil {
		return nil, err
	}
	from, err := parseTime("start_date", start)
	if err != nil {
		return nil, err
	}
	to, err := parseTime("end_date", end)
	if err != nil {
		return nil, err
	}
	if from == nil {
		t := s.now().Add(-DefaultSpan)
		if to != nil {
			t = to.Add(-DefaultSpan)
		}
		from = &t
	}
	if to != nil && to.Before(*from) {
		return nil, bi(errs.Invalid, "end_date 不能早于 start_date", "end_date is before start_date")
	}
	feed, err := s.cases.Feed(ctx, cases.FeedFilter{RegionPath: ar.path, UpdatedFrom: from, UpdatedTo: to,
		Limit: MaxRequests, WithComments: true})
	if err != nil {
		return nil, err
	}
	out := []Update{}
	for _, c := range feed {
		for _, n := range c.Notes {
			if n.At.Before(*from) || (to != nil && n.At.After(*to)) {
				continue
			}
			out = append(out, Update{UpdateID: strconv.FormatInt(n.ID, 10), RequestID: c.Number,
				Status: Status(n.State.Open()), Updated: Time{n.At}, Description: n.Note})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Updated.Before(out[j].Updated.Time) })
	if len(out) > MaxRequests {
		out = out[:MaxRequests]
	}
	return out, nil
}

// PostUpdate adds the reporter's comment, sent by the client that filed the request, as a public
// note of the case.
func (s *Service) PostUpdate(ctx context.Context, k *Key, jurisdiction, id, description string) (*UpdatePosted, error) {
	if k.ReadOnly {
		return nil, bi(errs.Forbidden, "只读 api_key 不能提交", "read-only api_key cannot post updates")
	}
	ar, err := s.area(ctx, jurisdiction, k)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(id) == "" {
		return nil, bi(errs.Invalid, "缺少 service_request_id", "service_request_id is required")
	}
	feed, err := s.cases.Feed(ctx, cases.FeedFilter{RegionPath: ar.path, Numbers: []string{id}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(feed) == 0 {
		return nil, bi(errs.NotFound, "service_request_id 不存在", "service_request_id not found")
	}
	own, err := requestsOf(ctx, s.db, []int64{feed[0].ID})
	if err != nil {
		return nil, err
	}
	if r, ok := own[feed[0].ID]; !ok || r.KeyID != k.ID {
		return nil, bi(errs.Forbidden, "只有提交该诉求的接入方可以补充说明", "only the client that posted the request may post updates")
	}
	if utf8.RuneCountInString(description) > MaxDescription {
		return nil, bi(errs.Invalid, "description 不能超过4000字", "description is longer than 4000 characters")
	}
	ctx = audit.WithActor(ctx, clientActor(ctx, k))
	noteID, err := s.cases.Comment(ctx, feed[0].ID, ar.path, description)
	if err != nil {
		return nil, translate(err)
	}
	if err := countUse(ctx, s.db.W, k.ID, 0, 1, s.now()); err != nil {
		return nil, err
	}
	return &UpdatePosted{UpdateID: strconv.FormatInt(noteID, 10)}, nil
}
