// Package openapi builds the API document served at /api/v1/openapi.json: a base (info, servers,
// security schemes and the shared Error and List schemas) merged with every capability's fragment.
//
// A fragment is an OpenAPI 3.1 object with only "paths" and "components" (and optionally "tags"),
// embedded by its package as `var OpenAPI []byte`. Paths are written in full ("/api/v1/residents");
// a path without the /api/ prefix is taken as relative to /api/v1. Fragments refer to the shared
// pieces by reference:
//
//   - #/components/schemas/Error, List, ID, Time, Date
//   - #/components/parameters/ID (the {id} path parameter), Limit, Offset, Q
//   - #/components/responses/Error
//
// A list answer is written {"allOf":[{"$ref":"#/components/schemas/List"},{"properties":{"items":
// {"items":{"$ref":"#/components/schemas/Resident"}}}}]}. Every operation that does not declare a
// "default" response gets the shared Error response as its default, so fragments need to list
// only their success answers and the errors they want to describe.
package openapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
)

//go:embed base.json
var base []byte

//go:embed fallback.json
var fallback []byte

// Fragment is one capability's part of the document.
type Fragment struct {
	Name string // the package, for error messages
	JSON []byte // nil when the package has no API yet
}

var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true}

// ignored are top-level keys a fragment may carry that the base document decides.
var ignored = map[string]bool{"openapi": true, "info": true, "$schema": true, "jsonSchemaDialect": true}

type merger struct {
	paths      map[string]any
	components map[string]any
	tags       []any
	owner      map[string]string // "paths /x get" or "schemas Foo" → fragment name
}

// Merge returns the document made of the base and the fragments, as JSON. It fails when a fragment
// is not valid JSON, carries keys other than paths, components and tags, or defines an operation
// or a component that another fragment (or the base) defines differently.
func Merge(fragments ...Fragment) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi: base: %w", err)
	}
	m := &merger{paths: doc["paths"].(map[string]any), components: doc["components"].(map[string]any),
		owner: map[string]string{}}
	m.tags, _ = doc["tags"].([]any)
	m.claim("base", m.paths, m.components)
	for _, f := range fragments {
		if len(bytes.TrimSpace(f.JSON)) == 0 {
			continue
		}
		if err := m.add(f); err != nil {
			return nil, err
		}
	}
	if err := m.addFallback(); err != nil {
		return nil, err
	}
	for _, item := range m.paths {
		for method, op := range item.(map[string]any) {
			if !methods[method] {
				continue
			}
			if o, ok := op.(map[string]any); ok {
				addDefaultError(o)
			}
		}
	}
	doc["tags"] = m.tags
	typeArrays(doc, false)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// claim records the base's paths and components as owned by name.
func (m *merger) claim(name string, paths, components map[string]any) {
	for p, item := range paths {
		for method := range item.(map[string]any) {
			m.owner["paths "+p+" "+method] = name
		}
	}
	for section, entries := range components {
		for key := range entries.(map[string]any) {
			m.owner[section+" "+key] = name
		}
	}
}

func (m *merger) add(f Fragment) error {
	var frag map[string]any
	if err := json.Unmarshal(f.JSON, &frag); err != nil {
		return fmt.Errorf("openapi: fragment %s is not valid JSON: %w", f.Name, err)
	}
	for key, v := range frag {
		switch {
		case ignored[key]:
		case key == "paths":
			paths, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("openapi: fragment %s: paths must be an object", f.Name)
			}
			if err := m.addPaths(f.Name, paths, false); err != nil {
				return err
			}
		case key == "components":
			comps, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("openapi: fragment %s: components must be an object", f.Name)
			}
			if err := m.addComponents(f.Name, comps); err != nil {
				return err
			}
		case key == "tags":
			tags, ok := v.([]any)
			if !ok {
				return fmt.Errorf("openapi: fragment %s: tags must be an array", f.Name)
			}
			m.addTags(tags)
		default:
			return fmt.Errorf("openapi: fragment %s: unexpected top-level key %q (a fragment holds only paths, components and tags)", f.Name, key)
		}
	}
	return nil
}

// Path returns the full path of a fragment's path key: keys without the /api/ prefix are relative
// to /api/v1.
func Path(key string) string {
	if strings.HasPrefix(key, "/api/") {
		return key
	}
	return "/api/v1" + key
}

func (m *merger) addPaths(name string, paths map[string]any, onlyMissing bool) error {
	keys := sortedKeys(paths)
	for _, key := range keys {
		item, ok := paths[key].(map[string]any)
		if !ok {
			return fmt.Errorf("openapi: fragment %s: path %s must be an object", name, key)
		}
		p := Path(key)
		have, exists := m.paths[p].(map[string]any)
		if onlyMissing && exists {
			continue
		}
		if !exists {
			have = map[string]any{}
			m.paths[p] = have
		}
		for _, field := range sortedKeys(item) {
			v := item[field]
			id := "paths " + p + " " + field
			if old, ok := have[field]; ok && !reflect.DeepEqual(old, v) {
				if methods[field] {
					return fmt.Errorf("openapi: %s %s is defined by both %s and %s", strings.ToUpper(field), p, m.owner[id], name)
				}
				return fmt.Errorf("openapi: %s: %q of path %s differs between %s and %s", name, field, p, m.owner[id], name)
			}
			have[field] = v
			if _, ok := m.owner[id]; !ok {
				m.owner[id] = name
			}
		}
	}
	return nil
}

func (m *merger) addComponents(name string, comps map[string]any) error {
	for _, section := range sortedKeys(comps) {
		entries, ok := comps[section].(map[string]any)
		if !ok {
			return fmt.Errorf("openapi: fragment %s: components.%s must be an object", name, section)
		}
		have, _ := m.components[section].(map[string]any)
		if have == nil {
			have = map[string]any{}
			m.components[section] = have
		}
		for _, key := range sortedKeys(entries) {
			id := section + " " + key
			if old, ok := have[key]; ok && !reflect.DeepEqual(old, entries[key]) {
				return fmt.Errorf("openapi: components.%s.%s is defined differently by %s and %s; rename one or use the shared one", section, key, m.owner[id], name)
			}
			have[key] = entries[key]
			if _, ok := m.owner[id]; !ok {
				m.owner[id] = name
			}
		}
	}
	return nil
}

func (m *merger) addTags(tags []any) {
	seen := map[string]bool{}
	for _, t := range m.tags {
		if o, ok := t.(map[string]any); ok {
			seen[fmt.Sprint(o["name"])] = true
		}
	}
	for _, t := range tags {
		o, ok := t.(map[string]any)
		if !ok || seen[fmt.Sprint(o["name"])] {
			continue
		}
		seen[fmt.Sprint(o["name"])] = true
		m.tags = append(m.tags, t)
	}
}

// addFallback documents the endpoints the skeleton serves whose owning package has no fragment yet.
func (m *merger) addFallback() error {
	var fb map[string]any
	if err := json.Unmarshal(fallback, &fb); err != nil {
		return fmt.Errorf("openapi: fallback: %w", err)
	}
	return m.addPaths("base", fb["paths"].(map[string]any), true)
}

func addDefaultError(op map[string]any) {
	responses, ok := op["responses"].(map[string]any)
	if !ok {
		responses = map[string]any{}
		op["responses"] = responses
	}
	if _, ok := responses["default"]; !ok {
		responses["default"] = map[string]any{"$ref": "#/components/responses/Error"}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Handler serves the merged document; it needs no sign-in.
func Handler(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	})
}

// typeArrays gives every schema that declares its items but not its type "type": "array", so that
// a list refinement such as {"properties":{"items":{"items":{"$ref":…}}}} is an array of those
// items to client generators too (openapi-typescript types an untyped schema's items as unknown).
// inProperties is true when v is a "properties" map, whose keys are field names, not keywords.
func typeArrays(v any, inProperties bool) {
	switch v := v.(type) {
	case map[string]any:
		if !inProperties {
			if _, ok := v["items"].(map[string]any); ok && v["type"] == nil && v["$ref"] == nil {
				v["type"] = "array"
			}
		}
		for k, child := range v {
			if !inProperties && (k == "example" || k == "examples" || k == "enum" || k == "default") {
				continue
			}
			typeArrays(child, !inProperties && k == "properties")
		}
	case []any:
		for _, child := range v {
			typeArrays(child, false)
		}
	}
}
