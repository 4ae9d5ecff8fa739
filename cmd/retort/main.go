// Command retort manages database migrations with Alembic's revision graph.
package main

import "github.com/retortdb/retort/cli"

func main() { cli.Main() }
