package open311

// shapes.go holds the documents of the specification as Go types: each with the spec's element
// names in the spec's order for XML, and the same names for JSON.

import (
	"encoding/json"
	"encoding/xml"
	"strconv"
	"time"

	"linli/internal/clock"
)

// Discovery is the Service Discovery document.
type Discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []Endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

// Endpoint is one endpoint of the discovery document.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// ServiceInfo is one service of GET services.
type ServiceInfo struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	Code        string   `xml:"service_code" json:"service_code"`
	Name        string   `xml:"service_name" json:"service_name"`
	Description string   `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    string   `xml:"keywords" json:"keywords"`
	Group       string   `xml:"group" json:"group"`
}

// Definition is a service definition: its attributes.
type Definition struct {
	XMLName    xml.Name    `xml:"service_definition" json:"-"`
	Code       string      `xml:"service_code" json:"service_code"`
	Attributes []Attribute `xml:"attributes>attribute" json:"attributes"`
}

// Attribute is one field a service asks for beyond the standard ones.
type Attribute struct {
	Variable            bool    `xml:"variable" json:"variable"`
	Code                string  `xml:"code" json:"code"`
	Datatype            string  `xml:"datatype" json:"datatype"`
	Required            bool    `xml:"required" json:"required"`
	DatatypeDescription string  `xml:"datatype_description" json:"datatype_description"`
	Order               int     `xml:"order" json:"order"`
	Description         string  `xml:"description" json:"description"`
	Values              []Value `xml:"-" json:"values,omitempty"`
	// XMLValues is Values for XML, where the <values> element appears only for a list.
	XMLValues *valueList `xml:"values,omitempty" json:"-"`
}

type valueList struct {
	Items []Value `xml:"value"`
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// Posted is the answer to POST requests.
type Posted struct {
	XMLName   xml.Name `xml:"request" json:"-"`
	ID        string   `xml:"service_request_id" json:"service_request_id"`
	Token     string   `xml:"token" json:"token"`
	Notice    string   `xml:"service_notice" json:"service_notice"`
	AccountID Opt      `xml:"account_id" json:"account_id"`
}

// TokenAnswer is the answer to GET tokens/{token}.
type TokenAnswer struct {
	XMLName xml.Name `xml:"request" json:"-"`
	ID      string   `xml:"service_request_id" json:"service_request_id"`
	Token   string   `xml:"token" json:"token"`
}

// Request is one service request of GET requests; it carries no personal data.
type Request struct {
	XMLName     xml.Name `xml:"request" json:"-"`
	ID          string   `xml:"service_request_id" json:"service_request_id"`
	Status      string   `xml:"status" json:"status"`
	StatusNotes string   `xml:"status_notes" json:"status_notes"`
	ServiceName string   `xml:"service_name" json:"service_name"`
	ServiceCode string   `xml:"service_code" json:"service_code"`
	Description string   `xml:"description" json:"description"`
	Agency      string   `xml:"agency_responsible" json:"agency_responsible"`
	Notice      string   `xml:"service_notice" json:"service_notice"`
	Requested   Time     `xml:"requested_datetime" json:"requested_datetime"`
	Updated     Time     `xml:"updated_datetime" json:"updated_datetime"`
	Expected    Time     `xml:"expected_datetime" json:"expected_datetime"`
	Address     string   `xml:"address" json:"address"`
	AddressID   string   `xml:"address_id" json:"address_id"`
	Zipcode     string   `xml:"zipcode" json:"zipcode"`
	Lat         Coord    `xml:"lat" json:"lat"`
	Long        Coord    `xml:"long" json:"long"`
	MediaURL    string   `xml:"media_url" json:"media_url"`
}

// Update is one service request update (FixMyStreet's extension): a public step of a request.
type Update struct {
	XMLName     xml.Name `xml:"request_update" json:"-"`
	UpdateID    string   `xml:"update_id" json:"update_id"`
	RequestID   string   `xml:"service_request_id" json:"service_request_id"`
	Status      string   `xml:"status" json:"status"`
	Updated     Time     `xml:"updated_datetime" json:"updated_datetime"`
	Description string   `xml:"description" json:"description"`
	MediaURL    string   `xml:"media_url" json:"media_url"`
}

// UpdatePosted is the answer to POST servicerequestupdates.
type UpdatePosted struct {
	XMLName  xml.Name `xml:"request_update" json:"-"`
	UpdateID string   `xml:"update_id" json:"update_id"`
}

// Problem is one error of the spec's error document.
type Problem struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

// The XML roots of the lists.
type (
	servicesDoc struct {
		XMLName xml.Name `xml:"services"`
		Items   []ServiceInfo
	}
	requestsDoc struct {
		XMLName xml.Name `xml:"service_requests"`
		Items   any
	}
	updatesDoc struct {
		XMLName xml.Name `xml:"service_request_updates"`
		Items   any
	}
	errorsDoc struct {
		XMLName xml.Name `xml:"errors"`
		Items   []Problem
	}
)

// Time is a W3C date-time in Asia/Shanghai (2026-12-05T09:30:00+08:00); the zero time is an
// empty element in XML and null in JSON.
type Time struct{ time.Time }

// At wraps a time; nil is the zero Time.
func At(t *time.Time) Time {
	if t == nil {
		return Time{}
	}
	return Time{*t}
}

// String is the W3C form with the time zone.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai()).Format(time.RFC3339)
}

// MarshalXML writes the W3C form, an empty element for the zero time.
func (t Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(t.String(), start)
}

// MarshalJSON writes the W3C form, null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.String())
}

// Coord is a WGS-84 coordinate: a number in JSON, null and an empty element when unknown.
type Coord struct{ V *float64 }

// MarshalXML writes the number, an empty element when unknown.
func (c Coord) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	s := ""
	if c.V != nil {
		s = strconv.FormatFloat(*c.V, 'f', -1, 64)
	}
	return e.EncodeElement(s, start)
}

// MarshalJSON writes the number, null when unknown.
func (c Coord) MarshalJSON() ([]byte, error) {
	if c.V == nil {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(*c.V, 'f', -1, 64)), nil
}

// Opt is an optional text: null in JSON and an empty element in XML when empty.
type Opt string

// MarshalJSON writes the text, null when empty.
func (o Opt) MarshalJSON() ([]byte, error) {
	if o == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(o))
}
