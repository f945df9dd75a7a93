package history

import (
	"strconv"
	"strings"
)

// dialect holds the little that differs between SQLite and PostgreSQL. Every
// query is written once, with ? placeholders, in the SQL both accept.
type dialect struct {
	name   string
	driver string // the database/sql driver name
	// id is the type of an auto-numbered primary key.
	id string
}

var dialects = map[string]dialect{
	"sqlite":   {name: "sqlite", driver: "sqlite", id: "INTEGER PRIMARY KEY AUTOINCREMENT"},
	"postgres": {name: "postgres", driver: "pgx", id: "BIGSERIAL PRIMARY KEY"},
}

// rebind turns ? placeholders into PostgreSQL's $1, $2... No query of this
// package has a ? inside a string literal.
func (d dialect) rebind(q string) string {
	if d.name != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ddl fills a migration's {{id}} with the dialect's key type.
func (d dialect) ddl(q string) string {
	return strings.ReplaceAll(q, "{{id}}", d.id)
}
