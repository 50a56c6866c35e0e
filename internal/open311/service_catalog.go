package open311

// service_catalog.go: the services (leaf categories) and their definitions.

import (
	"context"
	"fmt"
	"strings"

	"linli/internal/cases"
	"linli/internal/errs"
)

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
