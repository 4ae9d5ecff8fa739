-- Every feature of the schema model, as MySQL 8 and MariaDB 10.2.7+ accept it.
CREATE TABLE orgs (
    id INT AUTO_INCREMENT PRIMARY KEY,
    code CHAR(4) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL DEFAULT 'unnamed' COLLATE utf8mb4_bin COMMENT 'Display name',
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY uq_orgs_id_code (id, code)
) COMMENT = 'Organisations';

CREATE TABLE `User Accounts` (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    org_id INT NOT NULL,
    `Email` VARCHAR(200) NOT NULL COMMENT 'it''s the login',
    `select` INT DEFAULT -1,
    balance DECIMAL(12, 2) NOT NULL DEFAULT 0.00,
    ratio FLOAT(7, 4),
    score DOUBLE,
    small SMALLINT(6) DEFAULT 7,
    tiny TINYINT DEFAULT '3',
    flag BOOLEAN DEFAULT TRUE,
    born DATE DEFAULT '2000-01-01',
    seen TIMESTAMP NULL DEFAULT NULL,
    wake TIME(6),
    yr YEAR,
    feeling ENUM('happy', 'sad', 'it''s complicated') NOT NULL DEFAULT 'sad',
    perms SET('r', 'w', 'x') DEFAULT 'r,w',
    note TEXT,
    quote VARCHAR(20) DEFAULT 'back\\slash ''q''',
    uid CHAR(36) DEFAULT (uuid()),
    raw VARBINARY(16),
    bits BIT(3) DEFAULT b'101',
    latin VARCHAR(10) CHARACTER SET latin1,
    total INT AS (`select` * 2) STORED,
    half INT AS (`select` DIV 2) VIRTUAL,
    PRIMARY KEY (id),
    CONSTRAINT uq_org_email UNIQUE (org_id, `Email`),
    CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE ON UPDATE RESTRICT,
    CONSTRAINT ck_balance CHECK (balance >= 0 AND `select` <> 3),
    INDEX ix_users_email_prefix (`Email`(10) DESC, org_id),
    UNIQUE INDEX ix_users_balance_desc (balance DESC),
    FULLTEXT INDEX ix_users_note (note) COMMENT 'note search'
) ENGINE = InnoDB COLLATE = utf8mb4_unicode_ci COMMENT = 'People';

CREATE TABLE invoices (
    id INT NOT NULL,
    org_id INT,
    org_code CHAR(4),
    amount DECIMAL(10, 2) CHECK (amount > 0),
    PRIMARY KEY (id),
    CONSTRAINT fk_inv_org FOREIGN KEY (org_id, org_code) REFERENCES orgs (id, code) ON DELETE SET NULL ON UPDATE CASCADE
);

CREATE TABLE audit_log (msg TEXT) ENGINE = MyISAM;

CREATE TABLE `lines` (
    invoice_id INT NOT NULL,
    n INT NOT NULL,
    PRIMARY KEY (invoice_id, n),
    FOREIGN KEY (invoice_id) REFERENCES invoices (id)
);

CREATE TRIGGER tr_orgs_touch BEFORE UPDATE ON orgs FOR EACH ROW SET NEW.name = TRIM(NEW.name);

CREATE VIEW v_orgs AS SELECT id FROM orgs;
