package open311

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// bi is an error with its description in Chinese and English, as the spec's error document gives it.
func bi(code errs.Code, zh, en string) error { return errs.E(code, "%s / %s", zh, en) }

// Client returns the active key a client presented; a missing, unknown or revoked key is forbidden.
func (s *Service) Client(ctx context.Context, apiKey string) (*Key, error) {
	apiKey = strings.TrimSpace(apiKey)
	if apiKey == "" {
		return nil, bi(errs.Forbidden, "缺少 api_key", "api_key is required")
	}
	k, err := keyByHash(ctx, s.db.R, hashKey(apiKey))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !k.Active()) {
		return nil, bi(errs.Forbidden, "api_key 无效或已停用", "invalid or revoked api_key")
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Counted counts a read call of the key.
func (s *Service) Counted(ctx context.Context, k *Key) error {
	return countUse(ctx, s.db.W, k.ID, false, s.now())
}

// area is the region a call works in: its path and level.
type area struct {
	path, level string
	regionID    int64
}

// area resolves jurisdiction_id (optional with at most one jurisdiction configured) and narrows it
// to the key's region when a key is given.
func (s *Service) area(ctx context.Context, jurisdiction string, k *Key) (area, error) {
	js, err := listJurisdictions(ctx, s.db.R)
	if err != nil {
		return area{}, err
	}
	var a area
	switch {
	case jurisdiction != "":
		found := false
		for _, j := range js {
			if j.Code == jurisdiction {
				a, found = area{path: j.regionPath, level: j.regionLevel, regionID: j.RegionID}, true
			}
		}
		if !found {
			return area{}, bi(errs.NotFound, "jurisdiction_id 不存在", "jurisdiction_id not found")
		}
	case len(js) > 1:
		return area{}, bi(errs.Invalid, "本接口服务多个辖区，请提供 jurisdiction_id", "jurisdiction_id is required")
	case len(js) == 1:
		a = area{path: js[0].regionPath, level: js[0].regionLevel, regionID: js[0].RegionID}
	}
	if k == nil {
		return a, nil
	}
	switch {
	case a.path == "" || strings.HasPrefix(k.regionPath, a.path):
		return area{path: k.regionPath, level: k.regionLevel, regionID: k.RegionID}, nil
	case strings.HasPrefix(a.path, k.regionPath):
		return a, nil
	}
	return area{}, bi(errs.Forbidden, "该 api_key 不能用于此辖区", "api_key is not valid for this jurisdiction")
}

// serviceCode is a category's Open311 code: its own, or its Linli code where none was set.
func serviceCode(c *cases.Category) string {
	if c.Open311Code != "" {
		return c.Open311Code
	}
	return c.Code
}

// leaves returns the active leaf categories in order, with their parents' names.
func (s *Service) leaves(ctx context.Context) ([]cases.Category, map[int64]string, error) {
	all, err := s.cases.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, c := range all {
		names[c.ID] = c.Name
	}
	var out []cases.Category
	for _, c := range all {
		if c.Leaf() && c.Active {
			out = append(out, c)
		}
	}
	return out, names, nil
}

// Services lists the leaf categories as services.
func (s *Service) Services(ctx context.Context, jurisdiction string) ([]ServiceInfo, error) {
	if _, err := s.area(ctx, jurisdiction, nil); err != nil {
		return nil, err
	}
	leaves, parents, err := s.leaves(ctx)
	if err != nil {
		return nil, err
	}
	out := []ServiceInfo{}
	for i := range leaves {
		c := &leaves[i]
		group := parents[*c.ParentID]
		out = append(out, ServiceInfo{Code: serviceCode(c), Name: c.Name, Description: describe(c), Metadata: true,
			Type: "realtime", Keywords: strings.Join([]string{group, c.Name, c.Code}, ", "), Group: group})
	}
	return out, nil
}

// describe says what a service is and how fast it is handled.
func describe(c *cases.Category) string {
	return fmt.Sprintf("%s：%s内受理，受理后%s内办结（遇法定节假日顺延）", c.FullName, c.Accept, c.Handle)
}

// find returns the active leaf category of a service code, or a 404.
func (s *Service) find(ctx context.Context, code string) (*cases.Category, error) {
	if code == "" {
		return nil, bi(errs.Invalid, "缺少 service_code", "service_code is required")
	}
	leaves, _, err := s.leaves(ctx)
	if err != nil {
		return nil, err
	}
	for i := range leaves {
		if serviceCode(&leaves[i]) == code {
			return &leaves[i], nil
		}
	}
	return nil, bi(errs.NotFound, "service_code 不存在", "service_code not found")
}

// The attributes every service takes, and those a category's required fields add.
const (
	attrCoordSystem = "coord_system"
	attrTitle       = "title"
	attrAddress     = "address"
	attrLocation    = "location"
	attrPhone       = "contact_phone"
)

// attributes are a category's attributes: its required fields, then the optional ones.
func attributes(c *cases.Category) []Attribute {
	var out []Attribute
	add := func(a Attribute) {
		a.Order = len(out) + 1
		if len(a.Values) > 0 {
			a.XMLValues = &valueList{Items: a.Values}
		}
		out = append(out, a)
	}
	for _, f := range strings.Split(c.RequiredFields, ",") {
		switch strings.TrimSpace(f) {
		case "address":
			add(Attribute{Variable: true, Code: attrAddress, Datatype: "string", Required: true,
				DatatypeDescription: "门牌地址，或改填 address_string / lat+long / address_id",
				Description:         "该类诉求需要地址或位置（address_string、lat+long 或 address_id 之一即可）"})
		case "location":
			add(Attribute{Variable: false, Code: attrLocation, Datatype: "string", Required: true,
				Description: "该类诉求需要在地图上标注位置：请提交 lat 与 long，或 address_id（楼院编号）"})
		case "phone":
			add(Attribute{Variable: true, Code: attrPhone, Datatype: "string", Required: true,
				DatatypeDescription: "11位手机号或带区号的固定电话；也可填在 phone 字段",
				Description:         "联系电话，仅用于回复，不会公开"})
		}
	}
	add(Attribute{Variable: true, Code: attrTitle, Datatype: "string", DatatypeDescription: "不超过100字",
		Description: "标题；不填时取诉求内容的开头"})
	add(Attribute{Variable: true, Code: attrCoordSystem, Datatype: "singlevaluelist",
		Description: "lat/long 的坐标系；不填为 WGS-84", Values: []Value{{Key: "wgs84", Name: "WGS-84（GPS）"},
			{Key: "gcj02", Name: "GCJ-02（微信、高德）"}, {Key: "bd09", Name: "BD-09（百度）"}}})
	return out
}

// Definition returns a service's definition.
func (s *Service) Definition(ctx context.Context, jurisdiction, code string) (*Definition, error) {
	if _, err := s.area(ctx, jurisdiction, nil); err != nil {
		return nil, err
	}
	c, err := s.find(ctx, code)
	if err != nil {
		return nil, err
	}
	return &Definition{Code: serviceCode(c), Attributes: attributes(c)}, nil
}

// PostInput is a POST requests form as the spec names its fields.
type PostInput struct {
	Jurisdiction  string
	ServiceCode   string
	Lat, Long     string
	AddressString string
	AddressID     string
	Attributes    map[string][]string
	Email         string
	DeviceID      string
	AccountID     string
	FirstName     string
	LastName      string
	Phone         string
	Description   string
	MediaURL      string
}

// english names the spec's field for a field error of the cases service.
var english = map[string]string{"description": "description", "title": "attribute[title]", "lon": "lat/long",
	"coord_system": "attribute[coord_system]", "reporter_phone": "phone", "address": "address_string",
	"community_id": "jurisdiction_id or location", "grid_id": "location", "building_id": "address_id",
	"category_id": "service_code"}

// translate gives a field error of the cases service its English half, naming the spec's field.
func translate(err error) error {
	fields := errs.FieldsOf(err)
	if !errs.Is(err, errs.Invalid) || len(fields) == 0 {
		return err
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	zh, en := []string{}, []string{}
	for _, k := range keys {
		zh = append(zh, fields[k])
		name := english[k]
		if name == "" {
			name = k
		}
		en = append(en, "invalid "+name)
	}
	return bi(errs.Invalid, strings.Join(zh, "；"), strings.Join(en, "; "))
}

// Post files a request as a case of channel open311 through the cases service: its validation,
// placing, limits and audit. The key must not be read-only.
func (s *Service) Post(ctx context.Context, k *Key, in PostInput) (*Posted, error) {
	if k.ReadOnly {
		return nil, bi(errs.Forbidden, "只读 api_key 不能提交诉求", "read-only api_key cannot post requests")
	}
	ar, err := s.area(ctx, in.Jurisdiction, k)
	if err != nil {
		return nil, err
	}
	cat, err := s.find(ctx, strings.TrimSpace(in.ServiceCode))
	if err != nil {
		return nil, err
	}
	intake, err := s.intakeOf(cat, ar, in)
	if err != nil {
		return nil, err
	}
	token := strings.ToLower(rand.Text())
	ctx = audit.WithActor(ctx, clientActor(ctx, k))
	c, err := s.cases.SubmitWithin(ctx, Channel, ar.path, intake, func(ctx context.Context, q db.Querier, c *cases.Case) error {
		r := request{CaseID: c.ID, Number: c.Number, KeyID: k.ID, Token: token, AccountID: in.AccountID, MediaURL: in.MediaURL}
		if err := insertRequest(ctx, q, r, s.now(), in.DeviceID); err != nil {
			return err
		}
		if err := countUse(ctx, q, k.ID, true, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Entry{Action: "open311.request", ObjectType: "case", ObjectID: c.ID,
			RegionID: c.RegionID, Detail: k.Name})
	})
	if err != nil {
		return nil, translate(err)
	}
	return &Posted{ID: c.Number, Token: token, AccountID: Opt(in.AccountID),
		Notice: fmt.Sprintf("诉求已登记（编号 %s），将于%s内受理，受理后%s内办结（遇法定节假日顺延）", c.Number, cat.Accept, cat.Handle)}, nil
}

// clientActor is the audit actor of a client's call: the key's name, the address and request id.
func clientActor(ctx context.Context, k *Key) audit.Actor {
	a := audit.ActorFrom(ctx)
	a.UserID, a.Username = 0, "open311:"+k.Name
	return a
}

// intakeOf checks the spec's fields and the service's attributes and builds the case intake.
func (s *Service) intakeOf(cat *cases.Category, ar area, in PostInput) (cases.Intake, error) {
	attr := func(code string) string {
		if v := in.Attributes[code]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	it := cases.Intake{CategoryID: cat.ID, Description: in.Description, Title: attr(attrTitle),
		Address: strings.TrimSpace(in.AddressString), CoordSystem: attr(attrCoordSystem),
		ReporterName:  strings.TrimSpace(strings.TrimSpace(in.FirstName) + " " + strings.TrimSpace(in.LastName)),
		ReporterPhone: strings.TrimSpace(in.Phone)}
	if it.ReporterPhone == "" {
		it.ReporterPhone = attr(attrPhone)
	}
	if it.Address == "" {
		it.Address = attr(attrAddress)
	}
	if utf8.RuneCountInString(in.Description) > MaxDescription {
		return it, bi(errs.Invalid, "description 不能超过4000字", "description is longer than 4000 characters")
	}
	lat, long := strings.TrimSpace(in.Lat), strings.TrimSpace(in.Long)
	if lat != "" || long != "" {
		y, errY := strconv.ParseFloat(lat, 64)
		x, errX := strconv.ParseFloat(long, 64)
		if errX != nil || errY != nil {
			return it, bi(errs.Invalid, "lat 和 long 应同时提供，且为数字", "lat and long must both be numbers")
		}
		it.Lon, it.Lat = &x, &y
	}
	if id := strings.TrimSpace(in.AddressID); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return it, bi(errs.Invalid, "address_id 应为楼院编号", "address_id must be a building id")
		}
		it.BuildingID = n
	}
	if it.Lon == nil && it.Address == "" && it.BuildingID == 0 {
		return it, bi(errs.Invalid, "请提供位置：lat+long、address_string 或 address_id", "a location is required: lat+long, address_string or address_id")
	}
	for _, a := range attributes(cat) {
		if a.Variable && a.Required && attr(a.Code) == "" && !standardGiven(a.Code, it) {
			return it, bi(errs.Invalid, "缺少必填属性 "+a.Code, "attribute["+a.Code+"] is required")
		}
		if len(a.Values) > 0 && attr(a.Code) != "" && !hasValue(a.Values, attr(a.Code)) {
			return it, bi(errs.Invalid, "属性 "+a.Code+" 的取值无效", "invalid value of attribute["+a.Code+"]")
		}
	}
	if u := strings.TrimSpace(in.MediaURL); u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > 1000 {
			return it, bi(errs.Invalid, "media_url 应为 http(s) 地址", "media_url must be an http(s) URL")
		}
	}
	if len(in.AccountID) > 100 || len(in.DeviceID) > 100 {
		return it, bi(errs.Invalid, "account_id 和 device_id 不能超过100个字符", "account_id and device_id are at most 100 characters")
	}
	switch ar.level {
	case "grid":
		it.GridID = ar.regionID
	case "community":
		it.CommunityID = ar.regionID
	}
	return it, nil
}

// standardGiven reports whether a required attribute was given through its standard field.
func standardGiven(code string, it cases.Intake) bool {
	switch code {
	case attrPhone:
		return it.ReporterPhone != ""
	case attrAddress:
		return it.Address != "" || it.BuildingID != 0 || it.Lon != nil
	}
	return false
}

func hasValue(vs []Value, v string) bool {
	for _, x := range vs {
		if x.Key == v {
			return true
		}
	}
	return false
}

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

// leafName is the category's own name out of its full name (环境卫生 › 垃圾清运 → 垃圾清运).
func leafName(full string) string {
	if i := strings.LastIndex(full, " › "); i >= 0 {
		return full[i+len(" › "):]
	}
	return full
}

// codes maps category ids to service codes.
func (s *Service) codes(ctx context.Context) (map[int64]string, error) {
	all, err := s.cases.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for i := range all {
		out[all[i].ID] = serviceCode(&all[i])
	}
	return out, nil
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
	if err := countUse(ctx, s.db.W, k.ID, true, s.now()); err != nil {
		return nil, err
	}
	return &UpdatePosted{UpdateID: strconv.FormatInt(noteID, 10)}, nil
}
