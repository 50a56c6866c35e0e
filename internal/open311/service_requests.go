package open311

// service_requests.go: a client's key and area, and posting a request.

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
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/cases"
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

// Counted counts a call of the key, whatever its answer; what it posts is counted with the post.
func (s *Service) Counted(ctx context.Context, k *Key) error {
	return countUse(ctx, s.db.W, k.ID, 1, 0, s.now())
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
		if err := countUse(ctx, q, k.ID, 0, 1, s.now()); err != nil {
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
