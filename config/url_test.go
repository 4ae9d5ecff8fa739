package config

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		in       string
		want     URL
		str      string // String(); "" means in
		redacted string // Redacted(); "" means String()
	}{
		{"sqlite:///relative.db", URL{Dialect: "sqlite", Path: "relative.db"}, "", ""},
		{"sqlite:///sub/dir/app.db", URL{Dialect: "sqlite", Path: "sub/dir/app.db"}, "", ""},
		{"sqlite:////abs/path.db", URL{Dialect: "sqlite", Path: "/abs/path.db"}, "", ""},
		{"sqlite:///:memory:", URL{Dialect: "sqlite", Path: ":memory:"}, "", ""},
		{"sqlite://", URL{Dialect: "sqlite", Path: ":memory:"}, "sqlite:///:memory:", ""},
		{"sqlite:///", URL{Dialect: "sqlite", Path: ":memory:"}, "sqlite:///:memory:", ""},
		{"sqlite:///app.db?mode=ro", URL{Dialect: "sqlite", Path: "app.db", Query: q("mode", "ro")}, "", ""},
		{"sqlite:///app.db?locking_mode=normal&timeout=2.5", URL{Dialect: "sqlite", Path: "app.db", Query: q("locking_mode", "normal", "timeout", "2.5")}, "", ""},
		{"sqlite:///app.db?check_same_thread=false", URL{Dialect: "sqlite", Path: "app.db", Query: q("check_same_thread", "false")}, "", ""},
		{"sqlite+pysqlite:///app.db", URL{Dialect: "sqlite", Path: "app.db"}, "sqlite:///app.db", ""},
		{"SQLite:///app.db", URL{Dialect: "sqlite", Path: "app.db"}, "sqlite:///app.db", ""},
		{"postgresql://user:pass@host:5432/db?sslmode=disable",
			URL{Dialect: "postgresql", User: "user", Password: "pass", Host: "host", Port: 5432, Database: "db", Query: q("sslmode", "disable")},
			"", "postgresql://user:***@host:5432/db?sslmode=disable"},
		{"postgres://user:pass@host/db",
			URL{Dialect: "postgresql", User: "user", Password: "pass", Host: "host", Database: "db"},
			"postgresql://user:pass@host/db", "postgresql://user:***@host/db"},
		{"postgresql+psycopg2://u@localhost/app",
			URL{Dialect: "postgresql", User: "u", Host: "localhost", Database: "app"}, "postgresql://u@localhost/app", ""},
		{"postgresql:///app", URL{Dialect: "postgresql", Database: "app"}, "", ""},
		{"postgresql://", URL{Dialect: "postgresql"}, "", ""},
		{"postgresql://host", URL{Dialect: "postgresql", Host: "host"}, "", ""},
		{"postgresql://[::1]:5433/db", URL{Dialect: "postgresql", Host: "::1", Port: 5433, Database: "db"}, "", ""},
		{"postgresql://u:p%40ss%3Aw%2Fo%25rd@h/db",
			URL{Dialect: "postgresql", User: "u", Password: "p@ss:w/o%rd", Host: "h", Database: "db"},
			"", "postgresql://u:***@h/db"},
		{"postgresql://us%20er:a+b@h/my%2Fdb",
			URL{Dialect: "postgresql", User: "us er", Password: "a+b", Host: "h", Database: "my/db"},
			"postgresql://us%20er:a%2Bb@h/my%2Fdb", "postgresql://us%20er:***@h/my%2Fdb"},
		// An unencoded '@' in the password: the last '@' ends the user information.
		{"postgresql://u:p@ss@h/db",
			URL{Dialect: "postgresql", User: "u", Password: "p@ss", Host: "h", Database: "db"},
			"postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"},
		{"postgresql://:pw@h", URL{Dialect: "postgresql", Password: "pw", Host: "h"}, "", "postgresql://:***@h"},
		{"postgresql://u:@h", URL{Dialect: "postgresql", User: "u", Host: "h"}, "postgresql://u@h", ""},
		{"mysql://user:pass@host:3306/db",
			URL{Dialect: "mysql", User: "user", Password: "pass", Host: "host", Port: 3306, Database: "db"},
			"", "mysql://user:***@host:3306/db"},
		{"mariadb://root@db/app", URL{Dialect: "mysql", User: "root", Host: "db", Database: "app"}, "mysql://root@db/app", ""},
		{"mysql+pymysql://u:p@h/d?charset=utf8mb4",
			URL{Dialect: "mysql", User: "u", Password: "p", Host: "h", Database: "d", Query: q("charset", "utf8mb4")},
			"mysql://u:p@h/d?charset=utf8mb4", "mysql://u:***@h/d?charset=utf8mb4"},
		// pgx (like libpq) takes the password, and the client key's
		// passphrase, from the query string too; PyMySQL takes passwd.
		{"postgresql://postgres@127.0.0.1:5432/x?sslmode=disable&password=s3cret",
			URL{Dialect: "postgresql", User: "postgres", Host: "127.0.0.1", Port: 5432, Database: "x",
				Query: q("sslmode", "disable", "password", "s3cret")},
			"postgresql://postgres@127.0.0.1:5432/x?password=s3cret&sslmode=disable",
			"postgresql://postgres@127.0.0.1:5432/x?password=***&sslmode=disable"},
		{"postgresql://u:p@h/d?sslpassword=k%26y&sslkey=%2Fk.pem&application_name=a%20b",
			URL{Dialect: "postgresql", User: "u", Password: "p", Host: "h", Database: "d",
				Query: q("sslpassword", "k&y", "sslkey", "/k.pem", "application_name", "a b")},
			"postgresql://u:p@h/d?application_name=a+b&sslkey=%2Fk.pem&sslpassword=k%26y",
			"postgresql://u:***@h/d?application_name=a+b&sslkey=%2Fk.pem&sslpassword=***"},
		{"mysql://u@h/d?Password=a&password=b&passwd=c&allowNativePasswords=true",
			URL{Dialect: "mysql", User: "u", Host: "h", Database: "d",
				Query: q("Password", "a", "password", "b", "passwd", "c", "allowNativePasswords", "true")},
			"mysql://u@h/d?Password=a&allowNativePasswords=true&passwd=c&password=b",
			"mysql://u@h/d?Password=***&allowNativePasswords=true&passwd=***&password=***"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Query == nil {
				tt.want.Query = url.Values{}
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
			str := tt.str
			if str == "" {
				str = tt.in
			}
			if s := got.String(); s != str {
				t.Errorf("String() = %q, want %q", s, str)
			}
			red := tt.redacted
			if red == "" {
				red = str
			}
			if s := got.Redacted(); s != red {
				t.Errorf("Redacted() = %q, want %q", s, red)
			}
			again, err := ParseURL(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("String() does not round-trip: %+v, %v", again, err)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	const schemes = "sqlite://, postgresql:// (or postgres://), mysql:// (or mariadb://)"
	tests := []struct{ in, want string }{
		{"", "database URL: want dialect://…, one of " + schemes},
		{"app.db", "database URL: want dialect://…, one of " + schemes},
		{"user:secret@host/db", "database URL: want dialect://…, one of " + schemes},
		{"oracle://u:secret@h/db", `database URL: unsupported scheme "oracle"; use ` + schemes},
		{"postgresql+a.b://h", `database URL: unsupported scheme "postgresql+a.b"; use ` + schemes},
		{"u:secret@h://x", `database URL: unsupported scheme; use ` + schemes},
		{"sqlite://host/app.db", "database URL: a sqlite URL has no host: write sqlite:///relative.db or sqlite:////absolute/path.db"},
		{"postgresql://u:secret@h:99999/db", "database URL: the port must be a number from 1 to 65535 (percent-encode special characters in the password)"},
		{"postgresql://u:sec/ret@h/db", "database URL: the port must be a number from 1 to 65535 (percent-encode special characters in the password)"},
		{"postgresql://h:/db", "database URL: empty port after ':'"},
		{"postgresql://h:+5/db", `database URL: the port must be a number from 1 to 65535, not "+5"`},
		{"postgresql://u@host:abc/db", `database URL: the port must be a number from 1 to 65535, not "abc"`},
		{"postgresql://host:0", `database URL: the port must be a number from 1 to 65535, not "0"`},
		// The rest of a password cut by an unencoded '?' or '/': not shown.
		{"postgresql://u:sec?ret@h/db", "database URL: the port must be a number from 1 to 65535 (percent-encode special characters in the password)"},
		{"mysql://root@127.0.0.1:3306/", "database URL: a MySQL/MariaDB URL must name the database: mysql://user:pass@host:3306/dbname"},
		{"mariadb://u:secret@h", "database URL: a MySQL/MariaDB URL must name the database: mysql://user:pass@host:3306/dbname"},
		{"mysql://h/?charset=utf8mb4", "database URL: a MySQL/MariaDB URL must name the database: mysql://user:pass@host:3306/dbname"},
		{"sqlite:///x.db?bogus=1", `database URL: unknown sqlite URL parameter "bogus": retort reads locking_mode, mode, timeout, and accepts and ignores SQLAlchemy's cached_statements, check_same_thread, detect_types, isolation_level, uri`},
		{"sqlite:///x.db?timeout=5&Mode=ro", `database URL: unknown sqlite URL parameter "Mode": retort reads locking_mode, mode, timeout, and accepts and ignores SQLAlchemy's cached_statements, check_same_thread, detect_types, isolation_level, uri`},
		{"postgresql://[::1/db", "database URL: missing ']' after an IPv6 host"},
		{"postgresql://[::1]x/db", "database URL: unexpected text after an IPv6 host"},
		{"postgresql://[]/db", "database URL: empty IPv6 host"},
		{"postgresql://a]b/db", "database URL: invalid host"},
		{"postgresql://u:sec%zzret@h/db", "database URL: invalid percent-encoding in the password"},
		{"postgresql://u%zz:secret@h/db", "database URL: invalid percent-encoding in the user name"},
		{"postgresql://h/d%zz", "database URL: invalid percent-encoding in the database name"},
		{"postgresql://h/d?a=%zz", "database URL: invalid query string (percent-encode '%', '&', ';' and '=' inside values)"},
	}
	for _, tt := range tests {
		_, err := ParseURL(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseURL(%q) err = %v\nwant %s", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q) error shows the password", tt.in)
		}
	}
}

func TestParseURLRelativeTo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sqlite:///app.db", "/proj/app.db"},
		{"sqlite:///data/../app.db", "/proj/app.db"},
		{"sqlite:////abs/app.db", "/abs/app.db"},
		{"sqlite:///:memory:", ":memory:"},
		{"sqlite://", ":memory:"},
		{"sqlite:///file:app.db?uri=true", "file:app.db"},
	}
	for _, tt := range tests {
		u, err := ParseURLRelativeTo(tt.in, "/proj")
		if err != nil || u.Path != tt.want {
			t.Errorf("ParseURLRelativeTo(%q) = %+v, %v; want Path %q", tt.in, u, err, tt.want)
		}
	}
	u, err := ParseURLRelativeTo("postgresql://h/app.db", "/proj")
	if err != nil || u.Database != "app.db" || u.Path != "" {
		t.Errorf("postgresql URL changed: %+v, %v", u, err)
	}
}

func TestRedactString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`failed to connect to "postgresql://app:s3cret@db:5432/x": refused`,
			`failed to connect to "postgresql://app:***@db:5432/x": refused`},
		{"postgres://u:p@ss@h/db and mysql://r:pw@h/d",
			"postgres://u:***@h/db and mysql://r:***@h/d"},
		{"postgresql://:pw@h/db", "postgresql://:***@h/db"},
		{"no password: postgresql://u@h/db", "no password: postgresql://u@h/db"},
		{"dsn root:hunter2@tcp(127.0.0.1:3306)/app", "dsn root:***@tcp(127.0.0.1:3306)/app"},
		{"dsn root:hun@ter2@unix(/tmp/s)/app", "dsn root:***@unix(/tmp/s)/app"},
		{"host=h user=u password=hunter2 dbname=d", "host=h user=u password=*** dbname=d"},
		{"PASSWORD = 'a b c' x", "PASSWORD = *** x"},
		{"sslpassword=k3y passwd=pw", "sslpassword=*** passwd=***"},
		{"postgresql://u@h/x?password=s3cret", "postgresql://u@h/x?password=***"},
		{"sqlite:////abs/app.db: locked", "sqlite:////abs/app.db: locked"},
		{"time 12:30 at noon", "time 12:30 at noon"},
	}
	for _, tt := range tests {
		if got := RedactString(tt.in); got != tt.want {
			t.Errorf("RedactString(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"sqlite:///relative.db", "sqlite:////abs/path.db", "sqlite:///:memory:", "sqlite://",
		"postgresql://user:pass@host:5432/db?sslmode=disable", "postgres://u:p%40ss@h/db",
		"postgresql+psycopg2://u@[::1]:5433/app", "mysql://user:pass@host:3306/db",
		"mariadb://root:pw@db/app?charset=utf8mb4", "postgresql://u:p@ss@h/db", "postgresql://:pw@h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		red := u.Redacted()
		if u.Password != "" {
			// The redacted URL must parse to the same URL with "***" as the
			// password: the password appears nowhere else.
			r, err := ParseURL(red)
			if err != nil {
				t.Fatalf("Redacted() %q does not parse: %v", red, err)
			}
			if r.Password != "***" {
				t.Fatalf("Redacted() %q has password %q", red, r.Password)
			}
			r.Password = u.Password
			for k := range r.Query {
				if secretParams[strings.ToLower(k)] {
					r.Query[k] = u.Query[k]
				}
			}
			if !reflect.DeepEqual(r, u) {
				t.Fatalf("Redacted() %q parses to %+v, want %+v", red, r, u)
			}
			// Longer passwords must not appear as text, unless another part
			// of the URL contains them anyway.
			noPW := *u
			noPW.Password = ""
			if len(u.Password) >= 4 && strings.Contains(red, u.Password) &&
				!strings.Contains(noPW.String(), u.Password) {
				t.Fatalf("Redacted() %q contains the password %q", red, u.Password)
			}
			if rs := RedactString(u.String()); strings.Contains(rs, escape(u.Password)) &&
				len(u.Password) >= 4 && !strings.Contains(noPW.String(), escape(u.Password)) {
				t.Fatalf("RedactString(%q) = %q keeps the password", u.String(), rs)
			}
		}
		again, err := ParseURL(u.String())
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", u.String(), err)
		}
		if !reflect.DeepEqual(again, u) {
			t.Fatalf("String() %q parses to %+v, want %+v", u.String(), again, u)
		}
	})
}
