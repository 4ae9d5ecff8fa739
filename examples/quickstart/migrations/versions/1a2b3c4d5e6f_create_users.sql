-- create users
--
-- Revision ID: 1a2b3c4d5e6f
-- Revises:
-- Create Date: 2026-11-26 10:00:00.000000+00:00

-- retort:upgrade
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);

-- retort:downgrade
DROP TABLE users;
