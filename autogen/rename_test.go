package autogen_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/autogen"
	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/op"
	"github.com/retortdb/retort/schema"
)

// renamed is diffBase with users renamed to people, its column email to
// mail, and posts.title to headline.
func renamed() *schema.Schema {
	return edit(func(s *schema.Schema) {
		u := s.Table("", "users")
		u.Name = "people"
		u.Column("email").Name = "mail"
		u.Uniques[0].Columns = []string{"mail"}
		p := s.Table("", "posts")
		p.ForeignKeys[0].RefTable = "people"
		p.Column("title").Name = "headline"
		p.Indexes[0].Parts[0].Column = "headline"
	})
}

func TestDetectRenames(t *testing.T) {
	a, b := diffBase(), renamed()
	got := autogen.DetectRenames(a, b, nil)
	want := []autogen.Rename{{From: "users", To: "people"}, {Table: "posts", From: "title", To: "headline"}}
	if !slices.Equal(got, want) {
		t.Fatalf("DetectRenames = %v, want %v", got, want)
	}
	// With the table rename accepted, its columns come up.
	got = autogen.DetectRenames(a, b, want[:1])
	want = []autogen.Rename{{Table: "people", From: "email", To: "mail"}, {Table: "posts", From: "title", To: "headline"}}
	if !slices.Equal(got, want) {
		t.Fatalf("DetectRenames(known) = %v, want %v", got, want)
	}
	// Two added columns of the same type: ambiguous, no guess.
	c := edit(func(s *schema.Schema) {
		u := s.Table("", "users")
		u.Columns = append(u.Columns[:2], col("about", "text", true), col("notes", "text", true))
	})
	if got := autogen.DetectRenames(a, c, nil); len(got) != 0 {
		t.Fatalf("ambiguous: %v", got)
	}
	// A different type is no rename.
	c = edit(func(s *schema.Schema) {
		u := s.Table("", "users")
		u.Columns = append(u.Columns[:2], col("age", "int", true))
	})
	if got := autogen.DetectRenames(a, c, nil); len(got) != 0 {
		t.Fatalf("different type: %v", got)
	}
}

func TestParseRenames(t *testing.T) {
	a, b := diffBase(), renamed()
	rs, err := autogen.ParseRenames(a, b, []string{"users=people", "users.email=people.mail", "posts.title=posts.headline"})
	if err != nil {
		t.Fatal(err)
	}
	want := []autogen.Rename{{From: "users", To: "people"}, {Table: "people", From: "email", To: "mail"}, {Table: "posts", From: "title", To: "headline"}}
	if !slices.Equal(rs, want) {
		t.Fatalf("ParseRenames = %v", rs)
	}
	for _, r := range rs {
		if again, err := autogen.ParseRenames(a, b, []string{"users=people", r.Flag()}); err != nil && r.Table != "" || err == nil && !slices.Contains(again, r) {
			t.Errorf("Flag %q does not parse back: %v %v", r.Flag(), again, err)
		}
	}
	for spec, msg := range map[string]string{
		"posts.titel=posts.headline": "the database has no column posts.titel (columns the target drops from posts: title; columns it adds: headline)",
		"posts.id=posts.headline":    "column posts.id is in the target too, so it is not dropped",
		"posts.title=posts.head":     "the target has no column posts.head",
		"users=ppl":                  "the target has no table ppl (tables the target drops: users; tables it adds: people)",
		"posts=people":               "table posts is in the target too",
		"users.email=people.mail":    "give the table rename --rename users=people first",
		"users":                      "want old=new",
		"a.b=c":                      "the same number of dotted parts",
	} {
		_, err := autogen.ParseRenames(a, b, []string{spec})
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.HasPrefix(err.Error(), "--rename "+spec+": ") {
			t.Errorf("%s: err = %v, want %q", spec, err, msg)
		}
	}
}

func TestDiffRenames(t *testing.T) {
	a, b := diffBase(), renamed()
	renames := []autogen.Rename{{From: "users", To: "people"}, {Table: "people", From: "email", To: "mail"}, {Table: "posts", From: "title", To: "headline"}}
	up, err := autogen.Diff(a, b, autogen.DiffOptions{Renames: renames})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range up {
		names = append(names, o.String())
	}
	if got, want := strings.Join(names, "; "), "rename table users to people; rename column people.email to mail; rename column posts.title to headline"; got != want {
		t.Fatalf("ops = %s, want %s", got, want)
	}
	if got := applyAll(t, a, up); !got.Equal(b) {
		t.Fatalf("upgrade:\n%s", schema.Diff(b, got))
	}
	down, err := autogen.Downgrade(up)
	if err != nil {
		t.Fatal(err)
	}
	if got := applyAll(t, b, down); !got.Equal(a) {
		t.Fatalf("downgrade:\n%s", schema.Diff(a, got))
	}
	// A rename that does not fit is an error.
	if _, err := autogen.Diff(a, b, autogen.DiffOptions{Renames: []autogen.Rename{{From: "posts", To: "people"}}}); err == nil {
		t.Fatal("no error")
	}
}

func TestRenameIdent(t *testing.T) {
	for in, want := range map[string]string{
		`a > 0 AND "a" < 'a' AND ab = 1`: `b > 0 AND b < 'a' AND ab = 1`,
		"lower(`a`) || 'it''s a'":        "lower(`b`) || 'it''s a'",
	} {
		if got := op.RenameIdent(in, "a", "b"); got != want {
			t.Errorf("RenameIdent(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`a > 0 AND "a" < 'a'`: `"Big b" > 0 AND "Big b" < 'a'`,
		"`a` > 0":             "`Big b` > 0",
	} {
		if got := op.RenameIdent(in, "a", "Big b"); got != want {
			t.Errorf("RenameIdent(%q) = %q, want %q", in, got, want)
		}
		// A key word stays quoted.
		if got := op.RenameIdent(want, "Big b", "order"); !strings.Contains(got, `"order" > 0`) && !strings.Contains(got, "`order` > 0") {
			t.Errorf("RenameIdent(%q, to order) = %q", want, got)
		}
	}
}

// renameTrips are, per dialect, DDL for A and B where B renames a table
// and columns of A; the rows of A must survive both ways.
var renameTrips = map[string][2]string{
	config.SQLite: {`
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE posts (id integer PRIMARY KEY, user_id int REFERENCES users(id), title text);
CREATE INDEX posts_title ON posts (title);
INSERT INTO users VALUES (1, 'a', 'a@x'), (2, 'b', NULL);
INSERT INTO posts VALUES (1, 1, 't');`, `
CREATE TABLE people (id integer PRIMARY KEY, full_name text NOT NULL, email text);
CREATE TABLE posts (id integer PRIMARY KEY, user_id int REFERENCES people(id), headline text);
CREATE INDEX posts_title ON posts (headline);`},
	config.PostgreSQL: {`
CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users(id), title text CHECK (title <> ''));
CREATE INDEX posts_title ON posts (title);
INSERT INTO users VALUES (1, 'a', 'a@x'), (2, 'b', NULL);
INSERT INTO posts VALUES (1, 1, 't');`, `
CREATE TABLE people (id serial PRIMARY KEY, full_name text NOT NULL, email text);
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES people(id), headline text CHECK (headline <> ''));
CREATE INDEX posts_title ON posts (headline);`},
	config.MySQL: {`
CREATE TABLE users (id int PRIMARY KEY, name varchar(50) NOT NULL, email text);
CREATE TABLE posts (id int PRIMARY KEY, user_id int, title varchar(50), CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users(id), CONSTRAINT posts_ck CHECK (title <> ''));
CREATE INDEX posts_title ON posts (title);
INSERT INTO users VALUES (1, 'a', 'a@x'), (2, 'b', NULL);
INSERT INTO posts VALUES (1, 1, 't');`, `
CREATE TABLE people (id int PRIMARY KEY, full_name varchar(50) NOT NULL, email text);
CREATE TABLE posts (id int PRIMARY KEY, user_id int, headline varchar(50), CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES people(id), CONSTRAINT posts_ck CHECK (headline <> ''));
CREATE INDEX posts_title ON posts (headline);`},
}

// TestRenameRoundTrip: on each dialect, the detected renames are written
// as renames, and the rows survive the upgrade and the downgrade.
func TestRenameRoundTrip(t *testing.T) {
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			d := dialectFor(t, name)
			ddl := renameTrips[name]
			want := loadInspect(t, name, ddl[1])
			db := testdb.Open(t, testdb.New(t, name))
			execDDL(t, d, db, ddl[0])
			a := inspect(t, d, db)
			renames := autogen.DetectRenames(a, want, nil)
			renames = append(renames, autogen.DetectRenames(a, want, renames)...)
			renames = slices.Compact(renames)
			wantRenames := []autogen.Rename{{From: "users", To: "people"}, {Table: "posts", From: "title", To: "headline"}, {Table: "people", From: "name", To: "full_name"}}
			for _, r := range wantRenames {
				if !slices.Contains(renames, r) {
					t.Fatalf("renames %v lack %v", renames, r)
				}
			}
			opts := withRenames(autogen.OptionsFor(d), renames)
			up, err := autogen.Diff(a, want, opts)
			if err != nil {
				t.Fatal(err)
			}
			// PostgreSQL's default constraint names follow the table's
			// and the column's: users_pkey becomes people_pkey,
			// posts_title_check posts_headline_check, renamed too.
			for _, o := range up {
				switch o.(type) {
				case *op.RenameTable, *op.RenameColumn, *op.RenameConstraint:
				default:
					t.Errorf("unexpected op %s in %v", o, up)
				}
			}
			t.Logf("up: %v", up)
			down, err := autogen.Downgrade(up)
			if err != nil {
				t.Fatal(err)
			}
			const q = `SELECT count(*) FROM %s JOIN posts ON posts.user_id = %s.id WHERE %s = 'a' AND %s = 't'`
			rows := func(tbl, name, title string) int {
				return count(t, db, fmt.Sprintf(q, tbl, tbl, name, title))
			}
			if n := rows("users", "name", "title"); n != 1 {
				t.Fatalf("rows before: %d", n)
			}
			run(t, d, db, up)
			if got := inspect(t, d, db); !got.Equal(want) {
				t.Fatalf("after upgrade:\n%s", schema.Diff(want, got))
			}
			if n := rows("people", "full_name", "headline"); n != 1 {
				t.Fatalf("rows after upgrade: %d", n)
			}
			run(t, d, db, down)
			if got := inspect(t, d, db); !got.Equal(a) {
				t.Fatalf("after downgrade:\n%s", schema.Diff(a, got))
			}
			if n := rows("users", "name", "title"); n != 1 {
				t.Fatalf("rows after downgrade: %d", n)
			}
		})
	}
}

func withRenames(o autogen.DiffOptions, r []autogen.Rename) autogen.DiffOptions {
	o.Renames = r
	return o
}
