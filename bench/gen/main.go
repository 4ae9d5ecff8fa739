// Command gen writes a retort project of N linear SQL migrations for
// benchmarks: the same five-kind workload as ../shared/bench (create, add
// column, index, insert, rename+drop), each with an exact downgrade.
//
//	go run ./bench/gen -n 1000 -dir /tmp/proj [-url sqlite:///bench.db] [-bookkeeping]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

func main() {
	n := flag.Int("n", 1000, "number of migrations")
	dir := flag.String("dir", "", "project directory to create")
	url := flag.String("url", "sqlite:///bench.db", "database_url of the project")
	flag.Parse()
	if *dir == "" {
		log.Fatal("gen: -dir is required")
	}
	versions := filepath.Join(*dir, "migrations", "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		log.Fatal(err)
	}
	cfg := fmt.Sprintf("script_location = \"migrations\"\ndatabase_url = %q\n", *url)
	if err := os.WriteFile(filepath.Join(*dir, "retort.toml"), []byte(cfg), 0o644); err != nil {
		log.Fatal(err)
	}
	prev := ""
	for i := 1; i <= *n; i++ {
		id := fmt.Sprintf("%012x", i*7919)
		up, down := workload(i)
		body := fmt.Sprintf("-- migration %d\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Create Date: 2026-11-26 00:00:00.000000+00:00\n\n-- retort:upgrade\n%s\n\n-- retort:downgrade\n%s\n",
			i, id, prev, up, down)
		name := filepath.Join(versions, fmt.Sprintf("%05d_%s_m%d.sql", i, id, i))
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
		prev = id
	}
	fmt.Println(prev)
}

// workload returns migration i's SQL: block b = (i-1)/5 works on table t<b>.
func workload(i int) (up, down string) {
	b := (i - 1) / 5
	t := fmt.Sprintf("t%d", b)
	switch (i - 1) % 5 {
	case 0:
		return fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, created_at VARCHAR(40));\nCREATE TABLE %s_tmp (id INTEGER PRIMARY KEY, note TEXT);", t, t),
			fmt.Sprintf("DROP TABLE %s_tmp;\nDROP TABLE %s;", t, t)
	case 1:
		return fmt.Sprintf("ALTER TABLE %s ADD COLUMN score INTEGER;", t), fmt.Sprintf("ALTER TABLE %s DROP COLUMN score;", t)
	case 2:
		return fmt.Sprintf("CREATE INDEX ix_%s_name ON %s (name);", t, t), fmt.Sprintf("DROP INDEX ix_%s_name;", t)
	case 3:
		return fmt.Sprintf("INSERT INTO %s (id, name, score) VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3);", t),
			fmt.Sprintf("DELETE FROM %s WHERE id IN (1, 2, 3);", t)
	default:
		return fmt.Sprintf("ALTER TABLE %s RENAME COLUMN score TO rating;\nUPDATE %s SET rating = rating + 1;\nDROP TABLE %s_tmp;", t, t, t),
			fmt.Sprintf("CREATE TABLE %s_tmp (id INTEGER PRIMARY KEY, note TEXT);\nUPDATE %s SET rating = rating - 1;\nALTER TABLE %s RENAME COLUMN rating TO score;", t, t, t)
	}
}
