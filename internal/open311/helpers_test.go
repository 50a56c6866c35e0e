package open311_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/register"
)

// each runs fn on the whole app over SQLite and, when configured, PostgreSQL; grid 01 of 南关 has a
// boundary (100.44–100.45 E, 38.92–38.93 N) so that a point is placed in it.
func each(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	t.Helper()
	setup := func(t *testing.T, env *apptest.Env) {
		f := env.Fixture
		if _, err := register.NewService(env.DB(), f.Sealer).SetBoundary(f.Ctx("admin"), f.Grids[0].ID,
			fixture.Square(100.44, 38.92, 0.01)); err != nil {
			t.Fatal(err)
		}
		fn(t, env)
	}
	t.Run("sqlite", func(t *testing.T) { setup(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) {
		if dbtest.PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		setup(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t)))
	})
}

// issue has the security admin issue a key over the API and returns the secret.
func issue(t *testing.T, env *apptest.Env, name string, regionID int64, readOnly bool) string {
	t.Helper()
	resp := env.APIClient(t, "security").JSON("POST", "/api/v1/open311/keys",
		map[string]any{"name": name, "region_id": regionID, "read_only": readOnly})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue key: %d %s", resp.StatusCode, resp.Body)
	}
	var k struct {
		APIKey string `json:"api_key"`
	}
	resp.Decode(t, &k)
	if !strings.HasPrefix(k.APIKey, "o311_") {
		t.Fatalf("api_key %q", k.APIKey)
	}
	return k.APIKey
}

// answer is a raw HTTP answer of the Open311 endpoint.
type answer struct {
	status int
	ctype  string
	body   string
}

func get(t *testing.T, env *apptest.Env, path string, q url.Values) answer {
	t.Helper()
	u := env.Server.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// post sends a form as a third-party client does: no cookie, no Origin.
func post(t *testing.T, env *apptest.Env, path string, form url.Values) answer {
	t.Helper()
	resp, err := http.PostForm(env.Server.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// node is an XML element with its children in document order.
type node struct {
	name     string
	text     string
	children []*node
}

// names lists the children's element names in order.
func (n *node) names() []string {
	out := []string{}
	for _, c := range n.children {
		out = append(out, c.name)
	}
	return out
}

// child returns the first child named name.
func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// parseXML reads a document into its element tree.
func parseXML(t *testing.T, body string) *node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XML: %v in %s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			stack[len(stack)-1].text += string(tok)
		}
	}
	if len(root.children) != 1 {
		t.Fatalf("XML document with %d roots: %s", len(root.children), body)
	}
	return root.children[0]
}

func sameOrder(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: elements %v, want %v", what, got, want)
	}
}

func contentType(t *testing.T, a answer, want string) {
	t.Helper()
	if a.ctype != want+"; charset=utf-8" {
		t.Errorf("Content-Type %q, want %s; charset=utf-8", a.ctype, want)
	}
}

// caseID is the id of the case of a service_request_id.
func caseID(t *testing.T, env *apptest.Env, number string) int64 {
	t.Helper()
	var id int64
	if err := env.DB().R.QueryRowContext(context.Background(), `SELECT id FROM cases WHERE number = $1`, number).Scan(&id); err != nil {
		t.Fatalf("case %s: %v", number, err)
	}
	return id
}

func act(t *testing.T, c *apptest.Client, id int64, action string, body map[string]any) {
	t.Helper()
	resp := c.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/%s", id, action), body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", action, resp.StatusCode, resp.Body)
	}
}
