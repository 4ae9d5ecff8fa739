-- create people
--
-- Revision ID: 0001
-- Revises:
-- Create Date: 2026-11-26 19:00:00.000000+00:00

-- retort:upgrade
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    first_name VARCHAR(50) NOT NULL,
    last_name VARCHAR(50) NOT NULL
);
INSERT INTO people (id, first_name, last_name) VALUES (1, 'Ada', 'Lovelace');
INSERT INTO people (id, first_name, last_name) VALUES (2, 'Alan', 'Turing');

-- retort:downgrade
DROP TABLE people;
