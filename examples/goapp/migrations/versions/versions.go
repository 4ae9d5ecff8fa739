// Package versions holds goapp's revisions: SQL files, compiled in as SQL,
// and Go files whose init functions register Go migrations.
package versions

import "embed"

// SQL is the SQL revisions of this folder, for retort.WithFS.
//
//go:embed *.sql
var SQL embed.FS
