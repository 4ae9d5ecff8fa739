-- Every feature of the schema model that SQLite has.
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code CHAR(4) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL DEFAULT 'unnamed' COLLATE nocase,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_orgs_id_code UNIQUE (id, code)
);

CREATE TABLE "User Accounts" (
    id integer not null,
    org_id INT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE ON UPDATE RESTRICT,
    "Email" TEXT NOT NULL COLLATE RTRIM,
    "select" INTEGER DEFAULT -1 CHECK ("select" <> 3),
    balance DECIMAL(12, 2) NOT NULL DEFAULT 0.00,
    ratio double precision,
    score REAL DEFAULT (1.5),
    flag BOOLEAN DEFAULT TRUE,
    born DATE DEFAULT (date('now')),
    weird   Unsigned   Big   INT,
    untyped,
    raw BLOB DEFAULT x'00ff',
    quote TEXT DEFAULT 'it''s',
    sum_expr INTEGER DEFAULT (1+2),
    total INTEGER GENERATED ALWAYS AS ("select" * 2) STORED,
    half AS ("select"/2),
    CONSTRAINT "User Accounts_pk" PRIMARY KEY (id),
    CONSTRAINT uq_org_email UNIQUE (org_id, "Email"),
    CONSTRAINT ck_balance CHECK (balance>=0 and "select"<>3)
);
CREATE INDEX ix_users_lower_email ON "User Accounts" (lower("Email") DESC, org_id);
CREATE UNIQUE INDEX ix_users_partial ON "User Accounts" (org_id, (balance * 2)) WHERE flag AND balance > 0;
CREATE INDEX ix_users_email_nocase ON "User Accounts" ("Email" COLLATE NOCASE, "select" ASC);

CREATE TABLE invoices (
    id INTEGER NOT NULL PRIMARY KEY,
    org_id INTEGER,
    org_code CHAR(4),
    amount NUMERIC(10,2) CONSTRAINT ck_amount CHECK (amount > 0),
    CONSTRAINT fk_org FOREIGN KEY (org_id, org_code) REFERENCES orgs (id, code) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id) REFERENCES orgs ON UPDATE CASCADE
);

CREATE TABLE lines (
    invoice_id INTEGER REFERENCES invoices,
    n INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, n)
) WITHOUT ROWID, STRICT;

CREATE TRIGGER tr_orgs_touch AFTER UPDATE ON orgs BEGIN
    UPDATE orgs SET name = trim(name) WHERE id = NEW.id;
END;

CREATE VIEW v_orgs AS SELECT id FROM orgs;
