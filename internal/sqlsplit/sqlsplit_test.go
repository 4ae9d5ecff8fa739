package sqlsplit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// st builds an expected statement.
func st(sql string, line int, k Kind) Statement { return Statement{SQL: sql, Line: line, Kind: k} }

type splitCase struct {
	name string
	d    Dialect
	src  string
	want []Statement // nil with err == "" means no statements
	err  string      // exact SyntaxError.Error() text
}

// splitCases is the golden table; FuzzSplit seeds its corpus from it.
var splitCases = []splitCase{
	// ---- rules common to all dialects, checked on SQLite ----
	{name: "two statements", d: SQLite,
		src:  "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
		want: []Statement{st("CREATE TABLE a (id int)", 1, Other), st("CREATE TABLE b (id int)", 2, Other)}},
	{name: "last statement without semicolon", d: SQLite,
		src:  "SELECT 1;\n\n  SELECT 2  \n",
		want: []Statement{st("SELECT 1", 1, Other), st("SELECT 2", 3, Other)}},
	{name: "empty statements dropped", d: SQLite, src: ";;  ;\n ; -- nothing\n;/* x */;"},
	{name: "empty input", d: SQLite, src: ""},
	{name: "comment only input", d: SQLite, src: "-- add users table\n--\n/* multi\n line */\n-- end"},
	{name: "leading and trailing comments dropped, inner kept", d: SQLite,
		src:  "-- lead\n/* lead 2 */ SELECT 1 -- inner ;\n  + 2 /* trail */ ; -- after\nSELECT 3 -- eof comment",
		want: []Statement{st("SELECT 1 -- inner ;\n  + 2", 2, Other), st("SELECT 3", 4, Other)}},
	{name: "two statements on one line", d: SQLite,
		src:  "SELECT 1; SELECT 2;",
		want: []Statement{st("SELECT 1", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "semicolon and comment markers in strings", d: SQLite,
		src:  "INSERT INTO t VALUES ('a;b', 'it''s; ok', '-- no', '/* no');\nSELECT 2;",
		want: []Statement{st("INSERT INTO t VALUES ('a;b', 'it''s; ok', '-- no', '/* no')", 1, Other), st("SELECT 2", 2, Other)}},
	{name: "semicolon in identifiers", d: SQLite,
		src:  "SELECT \"a;b\", \"x\"\"y;\", [c;d], `e;f`, `g``h;` FROM t;SELECT 2",
		want: []Statement{st("SELECT \"a;b\", \"x\"\"y;\", [c;d], `e;f`, `g``h;` FROM t", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "semicolon in block comment", d: SQLite,
		src:  "SELECT 1 /* ; */ + 1;SELECT 2",
		want: []Statement{st("SELECT 1 /* ; */ + 1", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "sqlite comments do not nest", d: SQLite,
		src:  "/* a /* b */ SELECT 1; */",
		want: []Statement{st("SELECT 1", 1, Other), st("*/", 1, Other)}},
	{name: "backslash is literal in sqlite strings", d: SQLite,
		src:  "SELECT 'C:\\'; SELECT 2;",
		want: []Statement{st("SELECT 'C:\\'", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "dollar is a parameter prefix in sqlite", d: SQLite,
		src:  "SELECT $a, $$b; SELECT 2",
		want: []Statement{st("SELECT $a, $$b", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "CRLF line endings", d: SQLite,
		src:  "SELECT 1;\r\n\r\n-- c\r\nSELECT\r\n  2;\r\nSELECT 'a\r\nb';\r\nSELECT 4",
		want: []Statement{st("SELECT 1", 1, Other), st("SELECT\r\n  2", 4, Other), st("SELECT 'a\r\nb'", 6, Other), st("SELECT 4", 8, Other)}},
	{name: "unicode", d: SQLite,
		src:  "INSERT INTO café VALUES ('héllo; wörld', \"ünï;\");\n-- ünïcode ; comment\nSELECT 'ß' AS straße; SELECT '日本;語'",
		want: []Statement{st("INSERT INTO café VALUES ('héllo; wörld', \"ünï;\")", 1, Other), st("SELECT 'ß' AS straße", 3, Other), st("SELECT '日本;語'", 3, Other)}},
	{name: "byte order mark", d: SQLite,
		src:  "\ufeffBEGIN;\n \ufeff;\ufeffCOMMIT\ufeff;",
		want: []Statement{st("BEGIN", 1, Begin), st("COMMIT", 2, Commit)}},
	{name: "mysql DELIMITER after a byte order mark", d: MySQL,
		src:  "\ufeffDELIMITER //\nSELECT 1; SELECT 2//",
		want: []Statement{st("SELECT 1; SELECT 2", 2, Other)}},
	{name: "line counts through comments and strings", d: SQLite,
		src:  "/*\n\n*/ SELECT '\n\n';\n-- x\n\n  SELECT\n3",
		want: []Statement{st("SELECT '\n\n'", 3, Other), st("SELECT\n3", 8, Other)}},

	// ---- SQLite bodies and transaction control ----
	{name: "sqlite trigger with CASE", d: SQLite,
		src: `CREATE TRIGGER trg AFTER UPDATE ON t
FOR EACH ROW WHEN CASE WHEN new.x > 0 THEN 1 END
BEGIN
  UPDATE t SET y = CASE WHEN new.x > 10 THEN 'big;' ELSE 'small' END WHERE id = new.id;
  SELECT CASE new.x WHEN 1 THEN (CASE WHEN 1 THEN 2 END) END;
  INSERT INTO log VALUES (new.id); -- done;
END;
SELECT 1;`,
		want: []Statement{
			st(`CREATE TRIGGER trg AFTER UPDATE ON t
FOR EACH ROW WHEN CASE WHEN new.x > 0 THEN 1 END
BEGIN
  UPDATE t SET y = CASE WHEN new.x > 10 THEN 'big;' ELSE 'small' END WHERE id = new.id;
  SELECT CASE new.x WHEN 1 THEN (CASE WHEN 1 THEN 2 END) END;
  INSERT INTO log VALUES (new.id); -- done;
END`, 1, Other),
			st("SELECT 1", 8, Other)}},
	{name: "sqlite BEGIN; versus trigger BEGIN", d: SQLite,
		src: "BEGIN;\ncreate temp trigger if not exists t1 before delete on a begin delete from b where b.a = old.id; end;\nCOMMIT;\nbegin transaction;\nEND;",
		want: []Statement{
			st("BEGIN", 1, Begin),
			st("create temp trigger if not exists t1 before delete on a begin delete from b where b.a = old.id; end", 2, Other),
			st("COMMIT", 3, Commit),
			st("begin transaction", 4, Begin),
			st("END", 5, Commit)}},
	{name: "sqlite transaction control", d: SQLite,
		src: "BEGIN DEFERRED; BEGIN IMMEDIATE TRANSACTION; BEGIN EXCLUSIVE;\nEND TRANSACTION; COMMIT TRANSACTION;\nROLLBACK; ROLLBACK TRANSACTION; ROLLBACK TO sp; ROLLBACK TRANSACTION TO SAVEPOINT sp;\nSAVEPOINT sp; RELEASE sp",
		want: []Statement{
			st("BEGIN DEFERRED", 1, Begin), st("BEGIN IMMEDIATE TRANSACTION", 1, Begin), st("BEGIN EXCLUSIVE", 1, Begin),
			st("END TRANSACTION", 2, Commit), st("COMMIT TRANSACTION", 2, Commit),
			st("ROLLBACK", 3, Rollback), st("ROLLBACK TRANSACTION", 3, Rollback), st("ROLLBACK TO sp", 3, Other), st("ROLLBACK TRANSACTION TO SAVEPOINT sp", 3, Other),
			st("SAVEPOINT sp", 4, Other), st("RELEASE sp", 4, Other)}},
	{name: "sqlite columns named begin and end", d: SQLite,
		src:  "CREATE TABLE t (begin INTEGER, end INTEGER);\nCREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET begin = new.end + t.begin; END;\nSELECT 1",
		want: []Statement{st("CREATE TABLE t (begin INTEGER, end INTEGER)", 1, Other), st("CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET begin = new.end + t.begin; END", 2, Other), st("SELECT 1", 3, Other)}},
	{name: "sqlite trigger without semicolon at end of input", d: SQLite,
		src:  "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END",
		want: []Statement{st("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END", 1, Other)}},
	{name: "sqlite unterminated string", d: SQLite, src: "SELECT 1;\nSELECT 'abc;\nSELECT 2;", err: "line 2: unterminated string literal"},
	{name: "sqlite unterminated quoted identifier", d: SQLite, src: "\n\nSELECT \"abc;", err: "line 3: unterminated quoted identifier"},
	{name: "sqlite unterminated bracket identifier", d: SQLite, src: "SELECT [abc;", err: "line 1: unterminated quoted identifier"},
	{name: "sqlite unterminated backtick identifier", d: SQLite, src: "SELECT `abc;", err: "line 1: unterminated quoted identifier"},
	{name: "sqlite unterminated block comment", d: SQLite, src: "SELECT 1;\r\n/* abc;\r\n\r\n", err: "line 2: unterminated block comment"},
	{name: "sqlite unterminated trigger body", d: SQLite,
		src: "SELECT 1;\nCREATE TRIGGER x AFTER INSERT ON t\nBEGIN\n  SELECT 1;\n", err: "line 3: unterminated BEGIN ... END body"},
	{name: "sqlite unterminated CASE in trigger body", d: SQLite,
		src: "CREATE TRIGGER x AFTER INSERT ON t BEGIN\n  SELECT CASE WHEN 1 THEN 2;\n", err: "line 1: unterminated BEGIN ... END body (CASE on line 2 is not closed)"},

	// ---- PostgreSQL ----
	{name: "pg dollar-quoted function body", d: Postgres,
		src: "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 'a;b';\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT 1;",
		want: []Statement{
			st("CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 'a;b';\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql", 1, Other),
			st("SELECT 1", 7, Other)}},
	{name: "pg tagged dollar quote containing $$", d: Postgres,
		src:  "CREATE FUNCTION g() RETURNS text AS $body$ SELECT $$;$$ $b$ $BODY$ $body$ LANGUAGE sql; SELECT $_1$x;$_1$",
		want: []Statement{st("CREATE FUNCTION g() RETURNS text AS $body$ SELECT $$;$$ $b$ $BODY$ $body$ LANGUAGE sql", 1, Other), st("SELECT $_1$x;$_1$", 1, Other)}},
	{name: "pg $1 parameters are not dollar quotes", d: Postgres,
		src:  "PREPARE p AS SELECT $1::int, $2;\nEXECUTE p(1, 2);SELECT $1$",
		want: []Statement{st("PREPARE p AS SELECT $1::int, $2", 1, Other), st("EXECUTE p(1, 2)", 2, Other), st("SELECT $1$", 2, Other)}},
	{name: "pg dollar inside identifiers", d: Postgres,
		src:  "SELECT a$b$ FROM t$$; SELECT 2",
		want: []Statement{st("SELECT a$b$ FROM t$$", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "pg DO block is just a dollar quote", d: Postgres,
		src:  "BEGIN;\nDO $$ BEGIN\n  PERFORM 1;\nEND $$;\nCOMMIT;",
		want: []Statement{st("BEGIN", 1, Begin), st("DO $$ BEGIN\n  PERFORM 1;\nEND $$", 2, Other), st("COMMIT", 5, Commit)}},
	{name: "pg nested comments", d: Postgres,
		src:  "/* outer /* inner ; */ still ; */ SELECT 1 /* a /* b */ ; */;SELECT 2",
		want: []Statement{st("SELECT 1", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "pg escape strings", d: Postgres,
		src:  "SELECT E'it\\'s; here', e'\\\\', 'C:\\';SELECT E'a''b;'",
		want: []Statement{st("SELECT E'it\\'s; here', e'\\\\', 'C:\\'", 1, Other), st("SELECT E'a''b;'", 1, Other)}},
	{name: "pg quoted identifiers", d: Postgres,
		src:  "SELECT \"a;\"\"b\", U&\"d;x\" FROM \"t\";SELECT `;",
		want: []Statement{st("SELECT \"a;\"\"b\", U&\"d;x\" FROM \"t\"", 1, Other), st("SELECT `", 1, Other)}},
	{name: "pg double dash inside strings", d: Postgres,
		src:  "SELECT '--;' -- c;\n, $$--;$$;SELECT 2",
		want: []Statement{st("SELECT '--;' -- c;\n, $$--;$$", 1, Other), st("SELECT 2", 2, Other)}},
	{name: "pg BEGIN ATOMIC body", d: Postgres,
		src: "CREATE OR REPLACE FUNCTION add(a int, begin int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + begin;\n  SELECT 1;\nEND;\nCREATE PROCEDURE p() BEGIN ATOMIC END;",
		want: []Statement{
			st("CREATE OR REPLACE FUNCTION add(a int, begin int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + begin;\n  SELECT 1;\nEND", 1, Other),
			st("CREATE PROCEDURE p() BEGIN ATOMIC END", 6, Other)}},
	{name: "pg trigger has no body", d: Postgres,
		src:  "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nBEGIN;",
		want: []Statement{st("CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", 1, Other), st("BEGIN", 2, Begin)}},
	{name: "pg transaction control", d: Postgres,
		src: "BEGIN; BEGIN WORK; BEGIN ISOLATION LEVEL SERIALIZABLE; START TRANSACTION READ ONLY;\n" +
			"COMMIT; COMMIT AND CHAIN; END; END WORK; COMMIT PREPARED 'x';\n" +
			"ROLLBACK; ABORT; ROLLBACK WORK TO SAVEPOINT a; ROLLBACK PREPARED 'x'; SAVEPOINT a; START something",
		want: []Statement{
			st("BEGIN", 1, Begin), st("BEGIN WORK", 1, Begin), st("BEGIN ISOLATION LEVEL SERIALIZABLE", 1, Begin), st("START TRANSACTION READ ONLY", 1, Begin),
			st("COMMIT", 2, Commit), st("COMMIT AND CHAIN", 2, Commit), st("END", 2, Commit), st("END WORK", 2, Commit), st("COMMIT PREPARED 'x'", 2, Other),
			st("ROLLBACK", 3, Rollback), st("ABORT", 3, Rollback), st("ROLLBACK WORK TO SAVEPOINT a", 3, Other), st("ROLLBACK PREPARED 'x'", 3, Other), st("SAVEPOINT a", 3, Other), st("START something", 3, Other)}},
	{name: "pg semicolons in parentheses do not split", d: Postgres,
		src:  "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); DELETE FROM b);\nSELECT (1));SELECT 2",
		want: []Statement{st("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); DELETE FROM b)", 1, Other), st("SELECT (1))", 2, Other), st("SELECT 2", 2, Other)}},
	{name: "pg unterminated dollar quote", d: Postgres, src: "SELECT 1;\n\nCREATE FUNCTION f() AS $fn$ SELECT 1; $$;\n", err: "line 3: unterminated dollar-quoted string"},
	{name: "pg unterminated nested comment", d: Postgres, src: "SELECT 1;\n/* a /* b */\nSELECT 2;", err: "line 2: unterminated block comment"},
	{name: "pg unterminated escape string", d: Postgres, src: "SELECT E'abc\\';", err: "line 1: unterminated string literal"},
	{name: "pg unterminated BEGIN ATOMIC", d: Postgres, src: "CREATE FUNCTION f() RETURNS int\nBEGIN ATOMIC SELECT 1;", err: "line 2: unterminated BEGIN ATOMIC ... END body"},
	{name: "pg unclosed parenthesis", d: Postgres, src: "SELECT 1;\nINSERT INTO t VALUES (1;\nSELECT 2;", err: "line 2: unclosed parenthesis"},
	{name: "pg unterminated quoted identifier", d: Postgres, src: "SELECT \"x", err: "line 1: unterminated quoted identifier"},

	// ---- MySQL ----
	{name: "mysql backslash escapes in strings", d: MySQL,
		src:  "INSERT INTO t VALUES ('it\\'s; fine', \"dq; \\\" x\", 'a''b;', '\\\\');SELECT 2",
		want: []Statement{st("INSERT INTO t VALUES ('it\\'s; fine', \"dq; \\\" x\", 'a''b;', '\\\\')", 1, Other), st("SELECT 2", 1, Other)}},
	{name: "mysql hash and dash comments", d: MySQL,
		src:  "# comment ;\nSELECT 1; # trailing ;\nSELECT 1--1;\nSELECT 2 -- c;\n, 3;--\nSELECT 4;--\tx;\nSELECT 5 #x\n",
		want: []Statement{st("SELECT 1", 2, Other), st("SELECT 1--1", 3, Other), st("SELECT 2 -- c;\n, 3", 4, Other), st("SELECT 4", 6, Other), st("SELECT 5", 7, Other)}},
	{name: "mysql backtick identifiers", d: MySQL,
		src:  "SELECT `a;b` FROM `t``x;`;SELECT [1;",
		want: []Statement{st("SELECT `a;b` FROM `t``x;`", 1, Other), st("SELECT [1", 1, Other)}},
	{name: "mysql executable comments are kept", d: MySQL,
		src:  "/*!40101 SET NAMES utf8mb4 */;\n/* plain */;\nSELECT /*+ BKA(t) */ 1 /*!, 2 */;",
		want: []Statement{st("/*!40101 SET NAMES utf8mb4 */", 1, Other), st("SELECT /*+ BKA(t) */ 1 /*!, 2 */", 3, Other)}},
	{name: "mysql DELIMITER //", d: MySQL,
		src: "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF x THEN SELECT 2; END IF;\nEND //\nDELIMITER ;\nSELECT 3;",
		want: []Statement{
			st("CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF x THEN SELECT 2; END IF;\nEND", 2, Other),
			st("SELECT 3", 8, Other)}},
	{name: "mysql DELIMITER $$ with END$$ and CRLF", d: MySQL,
		src: "delimiter $$\r\nCREATE FUNCTION f() RETURNS INT\r\nBEGIN\r\n  RETURN 1;\r\nEND$$\r\nSELECT 1$$ SELECT 2;\r\n$$\r\n  Delimiter ;\r\nSELECT 3;",
		want: []Statement{
			st("CREATE FUNCTION f() RETURNS INT\r\nBEGIN\r\n  RETURN 1;\r\nEND", 2, Other),
			st("SELECT 1", 6, Other),
			st("SELECT 2;", 6, Other),
			st("SELECT 3", 9, Other)}},
	{name: "mysql DELIMITER ;; as in mysqldump", d: MySQL,
		src:  "DELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END */;;\nDELIMITER ;\n",
		want: []Statement{st("/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END */", 2, Other)}},
	{name: "mysql delimiter word inside a statement", d: MySQL,
		src:  "CREATE TABLE t (\n  id INT,\ndelimiter VARCHAR(10)\n);\nSELECT delimiter FROM t",
		want: []Statement{st("CREATE TABLE t (\n  id INT,\ndelimiter VARCHAR(10)\n)", 1, Other), st("SELECT delimiter FROM t", 5, Other)}},
	{name: "mysql procedure without DELIMITER", d: MySQL,
		src: `CREATE DEFINER=CURRENT_USER() PROCEDURE p(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; END;
  DROP TEMPORARY TABLE IF EXISTS tmp;
  SET @x = IF(n > 0, REPEAT('a', n), 'b');
  IF (n > 10) THEN
    SET i = CASE WHEN n > 100 THEN 1 ELSE 2 END;
  ELSEIF n > 5 THEN
    SELECT 1;
  ELSE
    BEGIN SELECT 2; END;
  END IF;
  lbl: LOOP
    SET i = i + 1;
    IF i > n THEN LEAVE lbl; END IF;
  END LOOP lbl;
  WHILE i > 0 DO SET i = i - 1; END WHILE;
  REPEAT SET i = i + 1; UNTIL i >= n END REPEAT;
  CASE n WHEN 1 THEN SELECT 'one;'; ELSE SELECT IF(1, 2, 3); END CASE;
END;
SELECT 1;`,
		want: []Statement{
			st(`CREATE DEFINER=CURRENT_USER() PROCEDURE p(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; END;
  DROP TEMPORARY TABLE IF EXISTS tmp;
  SET @x = IF(n > 0, REPEAT('a', n), 'b');
  IF (n > 10) THEN
    SET i = CASE WHEN n > 100 THEN 1 ELSE 2 END;
  ELSEIF n > 5 THEN
    SELECT 1;
  ELSE
    BEGIN SELECT 2; END;
  END IF;
  lbl: LOOP
    SET i = i + 1;
    IF i > n THEN LEAVE lbl; END IF;
  END LOOP lbl;
  WHILE i > 0 DO SET i = i - 1; END WHILE;
  REPEAT SET i = i + 1; UNTIL i >= n END REPEAT;
  CASE n WHEN 1 THEN SELECT 'one;'; ELSE SELECT IF(1, 2, 3); END CASE;
END`, 1, Other),
			st("SELECT 1", 22, Other)}},
	{name: "mysql trigger and function without DELIMITER", d: MySQL,
		src: "CREATE DEFINER=`admin`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN\n  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;\nEND;\n" +
			"CREATE TRIGGER t2 BEFORE UPDATE ON t FOR EACH ROW SET NEW.b = IF(NEW.b, 1, 0);\n" +
			"CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC BEGIN RETURN CASE WHEN x > 0 THEN x ELSE 0 END; END;\n" +
			"CREATE FUNCTION g() RETURNS INT RETURN (SELECT CASE WHEN 1 THEN 1 END);",
		want: []Statement{
			st("CREATE DEFINER=`admin`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN\n  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;\nEND", 1, Other),
			st("CREATE TRIGGER t2 BEFORE UPDATE ON t FOR EACH ROW SET NEW.b = IF(NEW.b, 1, 0)", 4, Other),
			st("CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC BEGIN RETURN CASE WHEN x > 0 THEN x ELSE 0 END; END", 5, Other),
			st("CREATE FUNCTION g() RETURNS INT RETURN (SELECT CASE WHEN 1 THEN 1 END)", 6, Other)}},
	{name: "mysql transaction statements inside a body are not split out", d: MySQL,
		src: "CREATE PROCEDURE IF NOT EXISTS move()\nBEGIN\n  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;\n  START TRANSACTION;\n" +
			"  IF a THEN SET x = CASE WHEN b THEN 1 ELSE 2 END; ELSE SET x = 3; END IF;\n" +
			"  CASE WHEN x THEN IF y THEN SELECT 1; END IF; END CASE;\n  COMMIT;\nEND;\nCOMMIT;",
		want: []Statement{
			st("CREATE PROCEDURE IF NOT EXISTS move()\nBEGIN\n  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;\n  START TRANSACTION;\n"+
				"  IF a THEN SET x = CASE WHEN b THEN 1 ELSE 2 END; ELSE SET x = 3; END IF;\n"+
				"  CASE WHEN x THEN IF y THEN SELECT 1; END IF; END CASE;\n  COMMIT;\nEND", 1, Other),
			st("COMMIT", 9, Commit)}},
	{name: "mysql event", d: MySQL,
		src:  "CREATE EVENT e ON SCHEDULE EVERY 1 DAY ENDS '2030-01-01' DO BEGIN DELETE FROM t; INSERT INTO log VALUES (1); END;\nCREATE EVENT e2 ON SCHEDULE AT NOW() DO DELETE FROM t;",
		want: []Statement{st("CREATE EVENT e ON SCHEDULE EVERY 1 DAY ENDS '2030-01-01' DO BEGIN DELETE FROM t; INSERT INTO log VALUES (1); END", 1, Other), st("CREATE EVENT e2 ON SCHEDULE AT NOW() DO DELETE FROM t", 2, Other)}},
	{name: "mysql table named event with column begin", d: MySQL,
		src:  "CREATE TABLE event (begin INT, end INT);\nSELECT 1",
		want: []Statement{st("CREATE TABLE event (begin INT, end INT)", 1, Other), st("SELECT 1", 2, Other)}},
	{name: "mysql BEGIN NOT ATOMIC block", d: MySQL,
		src:  "BEGIN NOT ATOMIC\n  DECLARE x INT;\n  SELECT 1;\nEND;\nBEGIN;",
		want: []Statement{st("BEGIN NOT ATOMIC\n  DECLARE x INT;\n  SELECT 1;\nEND", 1, Other), st("BEGIN", 5, Begin)}},
	{name: "mysql BEGIN then ATOMIC without NOT is no block", d: MySQL,
		src:  "BEGIN ( ATOMIC; SELECT 1",
		want: []Statement{st("BEGIN ( ATOMIC", 1, Begin), st("SELECT 1", 1, Other)}},
	{name: "mysql transaction control", d: MySQL,
		src: "BEGIN; BEGIN WORK; START TRANSACTION WITH CONSISTENT SNAPSHOT; COMMIT; COMMIT WORK AND NO CHAIN;\nROLLBACK; ROLLBACK WORK; ROLLBACK TO SAVEPOINT s; ROLLBACK WORK TO s; END; XA START 'x'",
		want: []Statement{
			st("BEGIN", 1, Begin), st("BEGIN WORK", 1, Begin), st("START TRANSACTION WITH CONSISTENT SNAPSHOT", 1, Begin), st("COMMIT", 1, Commit), st("COMMIT WORK AND NO CHAIN", 1, Commit),
			st("ROLLBACK", 2, Rollback), st("ROLLBACK WORK", 2, Rollback), st("ROLLBACK TO SAVEPOINT s", 2, Other), st("ROLLBACK WORK TO s", 2, Other), st("END", 2, Other), st("XA START 'x'", 2, Other)}},
	{name: "mysql unterminated string with trailing backslash", d: MySQL, src: "SELECT 1;\nSELECT 'abc\\';\n", err: "line 2: unterminated string literal"},
	{name: "mysql unterminated double-quoted string", d: MySQL, src: "SELECT \"abc", err: "line 1: unterminated string literal"},
	{name: "mysql unterminated executable comment", d: MySQL, src: "/*!40101 SET x = 1;", err: "line 1: unterminated block comment"},
	{name: "mysql unterminated procedure", d: MySQL,
		src: "CREATE PROCEDURE p()\nBEGIN\n  IF x THEN\n    SELECT 1;\n  END IF;\n  WHILE 1 DO\n", err: "line 2: unterminated BEGIN ... END body (WHILE on line 6 is not closed)"},
	{name: "mysql DELIMITER without argument", d: MySQL, src: "SELECT 1;\nDELIMITER   \nSELECT 2;", err: "line 2: DELIMITER must be followed by a delimiter"},
	{name: "mysql custom delimiter ends a confused body", d: MySQL,
		src:  "DELIMITER //\nCREATE PROCEDURE p() BEGIN IF x THEN SELECT 1; //\nSELECT 2//",
		want: []Statement{st("CREATE PROCEDURE p() BEGIN IF x THEN SELECT 1;", 2, Other), st("SELECT 2", 3, Other)}},
}

func TestSplit(t *testing.T) {
	for _, tc := range splitCases {
		t.Run(tc.d.String()+"/"+tc.name, func(t *testing.T) {
			got, err := Split(tc.src, tc.d)
			if tc.err != "" {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("Split() error = %v (%T), want *SyntaxError %q; statements %s", err, err, tc.err, dump(got))
				}
				if se.Error() != tc.err {
					t.Fatalf("Split() error = %q, want %q", se.Error(), tc.err)
				}
				if got != nil {
					t.Fatalf("Split() returned statements with an error: %s", dump(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Split() error = %v", err)
			}
			if dump(got) != dump(tc.want) {
				t.Errorf("Split() =\n%s\nwant\n%s", dump(got), dump(tc.want))
			}
		})
	}
}

// The same text must split differently by dialect; this pins the differences.
func TestSplitDialectDifferences(t *testing.T) {
	// MySQL: backslash escapes, "--'" is no comment, '#' is one; PostgreSQL: $$ quotes.
	src := "SELECT 'a\\';--';\nSELECT 1#x;\nSELECT $$;$$"
	want := map[Dialect][]Statement{
		SQLite:   {st("SELECT 'a\\'", 1, Other), st("SELECT 1#x", 2, Other), st("SELECT $$", 3, Other), st("$$", 3, Other)},
		Postgres: {st("SELECT 'a\\'", 1, Other), st("SELECT 1#x", 2, Other), st("SELECT $$;$$", 3, Other)},
		MySQL:    {st("SELECT 'a\\';--'", 1, Other), st("SELECT 1#x;\nSELECT $$", 2, Other), st("$$", 3, Other)},
	}
	for d, w := range want {
		got, err := Split(src, d)
		if err != nil {
			t.Errorf("%v: %v", d, err)
			continue
		}
		if dump(got) != dump(w) {
			t.Errorf("%v: got\n%s\nwant\n%s", d, dump(got), dump(w))
		}
	}
}

func TestSplitUnknownDialect(t *testing.T) {
	if _, err := Split("SELECT 1", Dialect(7)); err == nil {
		t.Fatal("Split with an unknown dialect succeeded")
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	e := &SyntaxError{Line: 4, Msg: "unterminated string literal"}
	if got := e.Error(); got != "line 4: unterminated string literal" {
		t.Fatalf("Error() = %q", got)
	}
}

// SQL must be a slice of the input: that is what keeps Split allocation-light.
func TestSplitAllocations(t *testing.T) {
	src := strings.Repeat("INSERT INTO t VALUES (1, 'a;b', \"c\"); -- x\nCREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN 2 END; END;\n", 50)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := Split(src, SQLite); err != nil {
			t.Fatal(err)
		}
	})
	// One for the result, one for the block stack.
	if allocs > 2 {
		t.Fatalf("Split allocates %v times per call, want <= 2", allocs)
	}
}

func dump(stmts []Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		fmt.Fprintf(&b, "  {line %d, %v, %q}\n", s.Line, s.Kind, s.SQL)
	}
	if b.Len() == 0 {
		return "  (none)\n"
	}
	return b.String()
}
